import {
  type AuthorityMessage,
  AuthorityRejected,
  AuthorityUnavailable,
  type EInvoiceAuthority,
  type UploadRequest,
  type UploadStatus,
} from './authority.ts';
import { validateEInvoice, validCui } from './cius-ro.ts';
import { readUbl, UnreadableDocument } from './ubl-reader.ts';

interface Upload {
  request: UploadRequest;
  receivedAt: number;
  verdict: 'ok' | 'nok';
  messages: AuthorityMessage[];
}

export interface SandboxAuthorityOptions {
  name?: string;
  /** how long an upload stays "in prelucrare" before its verdict is known */
  processingMs?: number;
  /** CIFs that are not in the sandbox's RO e-Factura registry: their uploads are answered nok */
  unregisteredSellers?: string[];
  now?: () => number;
}

/**
 * An RO e-Factura authority in memory that behaves like ANAF's SPV: an upload that is not a UBL
 * invoice or credit note is refused at once (ANAF's ExecutionStatus 1); otherwise it gets the
 * next upload index and is "processing" for a while, then ok (with a download id for the signed
 * document) or nok, with the messages of the CIUS-RO checks run on the XML it received (and
 * a seller that is not in its registry). `goDown()` makes every call fail until `comeBack()`.
 */
export class SandboxAuthority implements EInvoiceAuthority {
  readonly name: string;
  private readonly processingMs: number;
  private readonly unregistered: Set<string>;
  private readonly now: () => number;
  private readonly uploads = new Map<string, Upload>();
  private nextIndex = 5_000_000_000;
  private down = false;
  readonly received: { uploadIndex: string; xml: string; request: UploadRequest }[] = [];

  constructor(options: SandboxAuthorityOptions = {}) {
    this.name = options.name ?? 'sandbox';
    this.processingMs = options.processingMs ?? 1_000;
    this.unregistered = new Set(options.unregisteredSellers ?? []);
    this.now = options.now ?? Date.now;
  }

  goDown(): void {
    this.down = true;
  }

  comeBack(): void {
    this.down = false;
  }

  private available(): void {
    if (this.down) throw new AuthorityUnavailable(`${this.name}: 503 Service Unavailable`);
  }

  async upload(xml: string, request: UploadRequest): Promise<{ uploadIndex: string }> {
    this.available();
    if (!/^\d{2,10}$/.test(request.sellerCif))
      throw new AuthorityRejected([{ code: null, message: `CIF introdus= ${request.sellerCif} nu este un numar` }]);
    let messages: AuthorityMessage[];
    try {
      const doc = readUbl(xml);
      if ((doc.kind === 'INVOICE') !== (request.standard === 'UBL')) {
        throw new AuthorityRejected([{ code: null, message: `standardul ${request.standard} nu corespunde documentului ${doc.kind}` }]);
      }
      messages = validateEInvoice(doc).map((v) => ({
        code: v.rule === 'CIUS-RO' || v.rule === 'EN16931' ? v.code : v.rule,
        message: `${v.path}: ${v.message}`,
      }));
      const seller = (doc.seller.vatId ?? doc.seller.companyId ?? '').replace(/^RO/i, '');
      if (seller !== request.sellerCif)
        messages.push({ code: 'SELLER_CIF', message: `CIF emitent ${seller} diferit de CIF-ul din cerere ${request.sellerCif}` });
      if (this.unregistered.has(request.sellerCif) || !validCui(request.sellerCif)) {
        messages.push({ code: 'SELLER_NOT_REGISTERED', message: `CIF ${request.sellerCif} nu este inregistrat in Registrul RO e-Factura` });
      }
    } catch (error) {
      if (error instanceof UnreadableDocument)
        throw new AuthorityRejected([{ code: null, message: `XML cu erori nepreluat de sistem: ${error.message}` }]);
      throw error;
    }
    const uploadIndex = String(this.nextIndex++);
    this.uploads.set(uploadIndex, { request, receivedAt: this.now(), verdict: messages.length ? 'nok' : 'ok', messages });
    this.received.push({ uploadIndex, xml, request });
    return { uploadIndex };
  }

  async status(uploadIndex: string): Promise<UploadStatus> {
    this.available();
    const upload = this.uploads.get(uploadIndex);
    if (!upload) throw new AuthorityRejected([{ code: null, message: `Nu exista factura cu id_incarcare= ${uploadIndex}` }]);
    if (this.now() - upload.receivedAt < this.processingMs) return { state: 'processing' };
    return { state: upload.verdict, downloadId: `d${uploadIndex}` };
  }

  async download(downloadId: string): Promise<{ messages: AuthorityMessage[]; archive: Uint8Array }> {
    this.available();
    const upload = this.uploads.get(downloadId.replace(/^d/, ''));
    if (!upload || this.now() - upload.receivedAt < this.processingMs) {
      throw new AuthorityRejected([{ code: null, message: `Pentru id=${downloadId} nu exista inregistrata nici o factura` }]);
    }
    return { messages: upload.messages, archive: new TextEncoder().encode(JSON.stringify({ verdict: upload.verdict, messages: upload.messages })) };
  }
}

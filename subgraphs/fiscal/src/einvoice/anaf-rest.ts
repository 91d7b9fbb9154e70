import {
  type AuthorityMessage,
  AuthorityRejected,
  AuthorityUnavailable,
  type EInvoiceAuthority,
  type UploadRequest,
  type UploadStatus,
} from './authority.ts';
import { unzip } from './zip.ts';

/**
 * ANAF's RO e-Factura REST API (https://api.anaf.ro/{test|prod}/FCTEL/rest), as documented in
 * "prezentare api efactura" (mfinante.gov.ro) and the ANAF OAuth2 procedure:
 *
 *   POST upload?standard=UBL|CN&cif=<seller CIF>   body: the XML   -> <header ExecutionStatus="0" index_incarcare="..."/>
 *   GET  stareMesaj?id_incarcare=<index>                           -> <header stare="ok|nok|in prelucrare|..." id_descarcare="..."/>
 *   GET  descarcare?id=<id_descarcare>                             -> a ZIP: the signed invoice, or the error XML
 *
 * every call with `Authorization: Bearer <access token>` (OAuth2 at logincert.anaf.ro with the
 * company's qualified certificate; obtaining and refreshing the token is outside this adapter).
 *
 * NOT TESTED AGAINST THE NETWORK: nothing here has been run against ANAF. The response parsing
 * follows the documented shapes; the sandbox (sandbox-authority.ts) is what the tests use.
 */

export interface AnafRestOptions {
  /** 'test' or 'prod' environment */
  environment: 'test' | 'prod';
  accessToken: () => Promise<string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const BASE = 'https://api.anaf.ro';

/** The attributes of the first element named `tag` (ANAF answers carry their data in attributes). */
function attributes(xml: string, tag: string): Record<string, string> | null {
  const m = new RegExp(`<(?:\\w+:)?${tag}\\b([^>]*)>`).exec(xml) ?? new RegExp(`<(?:\\w+:)?${tag}\\b([^>]*)/>`).exec(xml);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const a of (m[1] ?? '').matchAll(/([\w:]+)="([^"]*)"/g)) out[a[1]!] = a[2]!;
  return out;
}

/** Every `errorMessage` attribute of Errors/Error elements, as messages. */
export function anafMessages(xml: string): AuthorityMessage[] {
  return [...xml.matchAll(/<(?:\w+:)?Errors?\b[^>]*\berrorMessage="([^"]*)"/g)].map((m) => {
    const message = m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    return { code: /\b(BR-[A-Z0-9-]+)\b/.exec(message)?.[1] ?? null, message };
  });
}

/** The upload answer: an index, or the reasons it was refused. */
export function parseUploadAnswer(xml: string): { uploadIndex: string } {
  const header = attributes(xml, 'header');
  if (header?.ExecutionStatus === '0' && header.index_incarcare) return { uploadIndex: header.index_incarcare };
  throw new AuthorityRejected(
    anafMessages(xml).length ? anafMessages(xml) : [{ code: null, message: `unexpected upload answer: ${xml.slice(0, 500)}` }],
  );
}

export function parseStatusAnswer(xml: string): UploadStatus {
  const header = attributes(xml, 'header');
  const state = header?.stare;
  if (state === 'in prelucrare') return { state: 'processing' };
  if ((state === 'ok' || state === 'nok') && header?.id_descarcare) return { state, downloadId: header.id_descarcare };
  // "XML cu erori nepreluat de sistem", or an Errors answer (unknown index, no rights for the CIF)
  throw new AuthorityRejected(
    anafMessages(xml).length ? anafMessages(xml) : [{ code: null, message: state ?? `unexpected status answer: ${xml.slice(0, 500)}` }],
  );
}

export class AnafRestAuthority implements EInvoiceAuthority {
  readonly name: string;
  private readonly options: AnafRestOptions;

  constructor(options: AnafRestOptions) {
    this.options = options;
    this.name = `anaf-${options.environment}`;
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${BASE}/${this.options.environment}/FCTEL/rest/${path}`;
    const token = await this.options.accessToken();
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new AuthorityUnavailable(`ANAF did not answer ${path}: ${(error as Error).message}`);
    }
    if (response.status >= 500 || response.status === 429) throw new AuthorityUnavailable(`ANAF answered ${response.status} to ${path}`);
    if (!response.ok) throw new AuthorityRejected([{ code: String(response.status), message: (await response.text()).slice(0, 2000) }]);
    return response;
  }

  async upload(xml: string, request: UploadRequest): Promise<{ uploadIndex: string }> {
    const query = new URLSearchParams({ standard: request.standard, cif: request.sellerCif });
    const response = await this.call(`upload?${query}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: xml });
    return parseUploadAnswer(await response.text());
  }

  async status(uploadIndex: string): Promise<UploadStatus> {
    const response = await this.call(`stareMesaj?${new URLSearchParams({ id_incarcare: uploadIndex })}`);
    return parseStatusAnswer(await response.text());
  }

  async download(downloadId: string): Promise<{ messages: AuthorityMessage[]; archive: Uint8Array }> {
    const response = await this.call(`descarcare?${new URLSearchParams({ id: downloadId })}`);
    const archive = new Uint8Array(await response.arrayBuffer());
    const messages: AuthorityMessage[] = [];
    // the signed invoice's file is named after the upload; an error answer is an XML of Error elements
    for (const [name, content] of unzip(archive)) if (!name.startsWith('semnatura_')) messages.push(...anafMessages(content.toString('utf8')));
    return { messages, archive };
  }
}

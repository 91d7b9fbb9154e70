/**
 * The e-invoicing authority (Romania: ANAF's RO e-Factura, "SPV") behind one interface, so the
 * real REST adapter (anaf-rest.ts) and the sandbox (sandbox-authority.ts) are interchangeable.
 * It is asynchronous like ANAF: an upload answers with an upload index at once; the verdict
 * (ok / nok) comes later, and its messages are in the download.
 */
export interface EInvoiceAuthority {
  /** the name e-invoices are queued under (seller profile `authority`): a process submits only to the authorities it has */
  readonly name: string;
  /** throws AuthorityRejected when the upload itself is refused, AuthorityUnavailable when it did not go through */
  upload(xml: string, request: UploadRequest): Promise<{ uploadIndex: string }>;
  status(uploadIndex: string): Promise<UploadStatus>;
  /** the answer file of a processed upload: the signed invoice (ok) or the errors (nok) */
  download(downloadId: string): Promise<{ messages: AuthorityMessage[]; archive: Uint8Array }>;
}

export interface UploadRequest {
  /** the seller's CIF, digits only */
  sellerCif: string;
  /** UBL for an invoice, CN for a credit note */
  standard: 'UBL' | 'CN';
}

export type UploadStatus = { state: 'processing' } | { state: 'ok'; downloadId: string } | { state: 'nok'; downloadId: string };

export interface AuthorityMessage {
  /** the authority's code or rule id, when it gives one */
  code: string | null;
  message: string;
}

/** The authority refused the upload outright (e.g. unreadable XML): it will not be processed. */
export class AuthorityRejected extends Error {
  override name = 'AuthorityRejected';
  readonly messages: AuthorityMessage[];
  constructor(messages: AuthorityMessage[]) {
    super(messages.map((m) => m.message).join('; ') || 'rejected');
    this.messages = messages;
  }
}

/** The authority did not answer or answered 5xx: nothing is known to have happened; retry later. */
export class AuthorityUnavailable extends Error {
  override name = 'AuthorityUnavailable';
}

export interface Authorities {
  names(): string[];
  named(name: string): EInvoiceAuthority | null;
}

export function authorityRegistry(list: EInvoiceAuthority[]): Authorities {
  const byName = new Map(list.map((a) => [a.name, a]));
  return { names: () => [...byName.keys()], named: (name) => byName.get(name) ?? null };
}

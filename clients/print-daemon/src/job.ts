/**
 * A print job as the daemon receives it from the gateway (operations.ts selects these fields).
 * The document to print hangs off the job: a receipt, or a shift's Z report (documents/index.ts
 * picks the renderer).
 */

export type PrintJobStatus = 'QUEUED' | 'SENT' | 'PRINTED' | 'FAILED' | 'UNCERTAIN' | 'CANCELLED';

export interface Money {
  amount: string;
  currencyCode?: string;
}

export interface VatLine {
  /** percent, e.g. "21" */
  rate: string;
  taxableAmount: Money;
  taxAmount: Money;
}

export interface ReceiptLine {
  name: string;
  sku: string;
  quantity: string;
  unitPrice: Money;
  vatRate: string;
  /** after its discount */
  total: Money;
  discount: Money | null;
}

export interface ReceiptPayment {
  method: string;
  amount: Money;
  change: Money | null;
}

export interface Receipt {
  id: string;
  number: string;
  issuedAt: string;
  /** the text of the ticket's QR code, frozen at issue (absent from older supergraphs) */
  qrPayload?: string | null;
  store: Store;
  total: Money;
  /** everything discounts took off the sale, lines and order */
  discountTotal: Money;
  vatBreakdown: VatLine[];
  /** what was sold, as issued (a snapshot) */
  lines: ReceiptLine[];
  payments: ReceiptPayment[];
  order: { number: string } | null;
}

export interface Store {
  name: string;
  timezone?: string | null;
}

export interface MethodTotal {
  method: string;
  amount: Money;
  count: number;
}

/** A shift's end-of-day figures, frozen when it closed */
export interface ZReport {
  number: number;
  generatedAt: string;
  receiptsCount: number;
  shift: { openedAt: string; closedAt: string | null; store: Store };
  grossSales: Money;
  discounts: Money;
  refunds: Money;
  netSales: Money;
  salesByMethod: MethodTotal[];
  refundsByMethod: MethodTotal[];
  vatBreakdown: VatLine[];
  openingFloat: Money;
  cashSales: Money;
  cashRefunds: Money;
  cashIn: Money;
  cashOut: Money;
  expectedCash: Money;
  countedCash: Money;
  discrepancy: Money;
}

export interface PrintJob {
  id: string;
  status: PrintJobStatus;
  /** a reprint: the ticket says COPY */
  copy: boolean;
  attempts: number;
  createdAt: string;
  receipt: Receipt | null;
  /** the Z report of a closed shift (absent from supergraphs without shifts) */
  zReport?: ZReport | null;
}

/** Oldest first, then by id (UUIDv7 ids sort by creation time too). */
export function byAge(a: Pick<PrintJob, 'createdAt' | 'id'>, b: Pick<PrintJob, 'createdAt' | 'id'>): number {
  const at = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (at !== 0 && !Number.isNaN(at)) return at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

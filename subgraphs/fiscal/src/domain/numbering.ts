/**
 * Fiscal document numbers. A number is a series plus a sequence that is gap-free within the
 * series and year (services/numbering.ts hands the sequences out); this file only formats them.
 */

/** Invoices of every store share one series per tenant, e.g. CMD-000123. */
export const INVOICE_SERIES = 'CMD';
/** Receipts are numbered per store (each till has its own roll), e.g. BF-2025-000042. */
export const RECEIPT_SERIES = 'BF';

const DIGITS = 6;

function padded(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`a document sequence is a positive integer, got ${seq}`);
  return String(seq).padStart(DIGITS, '0');
}

/** The year is not part of an invoice number: the contract's form is CMD-000123. */
export function formatInvoiceNumber(series: string, seq: number): string {
  return `${series}-${padded(seq)}`;
}

/** Receipt numbers restart every year, so the year is printed to keep them unambiguous. */
export function formatReceiptNumber(series: string, year: number, seq: number): string {
  return `${series}-${year}-${padded(seq)}`;
}

/** The numbering year is the calendar year where the document is issued, not in UTC. */
export function fiscalYear(at: Date, timeZone: string): number {
  const year = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).formatToParts(at).find((p) => p.type === 'year');
  return Number(year?.value);
}

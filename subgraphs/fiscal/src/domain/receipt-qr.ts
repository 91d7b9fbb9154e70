import { formatMoney } from '@comanda/kit';

/**
 * The text a receipt's QR code encodes: a compact, versioned string that identifies the sale
 * without a network call (an auditor or a returns desk scans it and looks the receipt up):
 *
 *   CMR1|<storeId>|<number>|<issuedAt, UTC, yyyymmddThhmmssZ>|<total, 2 decimals>|<currency>
 *   CMR1|0190b6a2-...-7c1d|BF-2025-000042|20250314T091502Z|123.45|RON
 *
 * `CMR1` names the format and its version (a later one bumps the digit). Fields never contain
 * `|`: ids are UUIDs, numbers are series-year-sequence, totals plain decimals. Everything in it
 * is frozen when the receipt is issued, so a reprint (COPY) encodes exactly the same text.
 */
export const RECEIPT_QR_VERSION = 'CMR1';

export interface ReceiptQrFields {
  storeId: string;
  number: string;
  issuedAt: Date;
  total: string;
  currency: string;
}

/** 2025-03-14T09:15:02.345Z -> 20250314T091502Z (seconds are enough, and shorter codes scan better). */
function compactUtc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

export function receiptQrPayload(r: ReceiptQrFields): string {
  return [RECEIPT_QR_VERSION, r.storeId, r.number, compactUtc(r.issuedAt), formatMoney(r.total), r.currency].join('|');
}

/** The inverse, for whoever scans a code: null when the text is not a CMR1 payload. */
export function parseReceiptQrPayload(text: string): ReceiptQrFields | null {
  const parts = text.split('|');
  if (parts.length !== 6 || parts[0] !== RECEIPT_QR_VERSION) return null;
  const [, storeId, number, at, total, currency] = parts as [string, string, string, string, string, string];
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(at);
  if (!m || !/^-?\d+\.\d{2}$/.test(total) || !/^[A-Z]{3}$/.test(currency)) return null;
  const issuedAt = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  if (Number.isNaN(issuedAt.getTime())) return null;
  return { storeId, number, issuedAt, total, currency };
}

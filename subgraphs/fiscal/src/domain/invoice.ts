import { DomainError } from '@comanda/kit';

/** What the invoice row stores; OVERDUE is never stored but derived from the due date. */
export type StoredInvoiceStatus = 'DRAFT' | 'ISSUED' | 'PARTIALLY_PAID' | 'PAID' | 'CANCELLED';
export type InvoiceStatus = StoredInvoiceStatus | 'OVERDUE';
export type EInvoiceStatus = 'NOT_REQUIRED' | 'DRAFT' | 'QUEUED' | 'SUBMITTED' | 'ACCEPTED' | 'REJECTED';

/** Issued and not settled: money is still owed, so these can fall overdue. */
export const OPEN_INVOICE_STATUSES: readonly StoredInvoiceStatus[] = ['ISSUED', 'PARTIALLY_PAID'];

/**
 * Derived at read time rather than stored by a nightly job: it is exact to the second and
 * there is no sweeper to forget. The dashboard counts with the same rule in SQL.
 */
export function isOverdue(status: StoredInvoiceStatus, dueDate: Date, now: Date): boolean {
  return OPEN_INVOICE_STATUSES.includes(status) && dueDate.getTime() < now.getTime();
}

export function invoiceStatusAt(status: StoredInvoiceStatus, dueDate: Date, now: Date): InvoiceStatus {
  return isOverdue(status, dueDate, now) ? 'OVERDUE' : status;
}

export type BuyerKind = 'PERSON' | 'COMPANY';

/** Romanian e-Factura is mandatory between companies; its lifecycle starts as DRAFT. */
export function eInvoiceStatusFor(sellerCountry: string, buyer: BuyerKind): EInvoiceStatus {
  return sellerCountry.toUpperCase() === 'RO' && buyer === 'COMPANY' ? 'DRAFT' : 'NOT_REQUIRED';
}

export const MAX_DUE_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export function dueDateFor(issuedAt: Date, dueDays: number): Date {
  if (!Number.isInteger(dueDays) || dueDays < 0 || dueDays > MAX_DUE_DAYS) {
    throw new DomainError('INVALID_DUE_DAYS', `payment terms are 0 to ${MAX_DUE_DAYS} whole days`, ['dueDays']);
  }
  return new Date(issuedAt.getTime() + dueDays * DAY_MS);
}

import type { EInvoiceStatus } from './invoice.ts';

/**
 * The e-Factura life of an invoice, as data: DRAFT (required, not queued yet) -> QUEUED (built
 * and checked, waiting for the submitter) -> SUBMITTED (the authority has it: an upload index)
 * -> ACCEPTED | REJECTED (with the authority's messages). A refused upload goes QUEUED ->
 * REJECTED; a rejected e-invoice may be queued again once what it said is fixed.
 */
export type SubmissionStatus = Extract<EInvoiceStatus, 'QUEUED' | 'SUBMITTED' | 'ACCEPTED' | 'REJECTED'>;

export const E_INVOICE_TRANSITIONS: Readonly<Record<EInvoiceStatus, readonly EInvoiceStatus[]>> = {
  NOT_REQUIRED: [],
  DRAFT: ['QUEUED'],
  QUEUED: ['SUBMITTED', 'REJECTED'],
  SUBMITTED: ['ACCEPTED', 'REJECTED'],
  ACCEPTED: [],
  REJECTED: ['QUEUED'],
};

export function canMoveEInvoice(from: EInvoiceStatus, to: EInvoiceStatus): boolean {
  return E_INVOICE_TRANSITIONS[from].includes(to);
}

/** A submission the authority did not take: 5 s, 10 s, 20 s ... at most an hour apart. */
export function uploadRetryDelayMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Asking for the verdict of an upload: 2 s, 4 s, 8 s ... at most 10 minutes apart (ANAF takes minutes at busy times). */
export function statusPollDelayMs(checks: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, checks), 600_000);
}

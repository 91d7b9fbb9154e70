import { DomainError } from '@comanda/kit';

export const PRINT_JOB_STATUSES = ['QUEUED', 'SENT', 'PRINTED', 'FAILED', 'UNCERTAIN', 'CANCELLED'] as const;
export type PrintJobStatus = (typeof PRINT_JOB_STATUSES)[number];

/**
 * Where a job may go next. The daemon may skip SENT (it acks once the printer answered);
 * FAILED and UNCERTAIN go back to QUEUED for a retry, or are settled by a person who looked at
 * the paper. PRINTED and CANCELLED are final.
 */
export const PRINT_JOB_TRANSITIONS: Readonly<Record<PrintJobStatus, readonly PrintJobStatus[]>> = {
  QUEUED: ['SENT', 'PRINTED', 'FAILED', 'CANCELLED'],
  SENT: ['PRINTED', 'FAILED', 'UNCERTAIN'],
  FAILED: ['QUEUED', 'CANCELLED'],
  UNCERTAIN: ['QUEUED', 'PRINTED', 'FAILED', 'CANCELLED'],
  PRINTED: [],
  CANCELLED: [],
};

/** What the print daemon's catch-up still has to look at. */
export const FINAL_PRINT_JOB_STATUSES: readonly PrintJobStatus[] = ['PRINTED', 'CANCELLED'];

/** The daemon's error text is diagnostics, not input to refuse: longer text is cut, not rejected. */
export const MAX_ERROR_LENGTH = 2000;

export interface PrintJobState {
  status: PrintJobStatus;
  attempts: number;
  lastError: string | null;
}

export type Acknowledgement = { changed: false } | { changed: true; next: PrintJobState };

/**
 * An attempt is one try at putting the ticket on paper, counted when the job leaves QUEUED
 * (to SENT, or straight to PRINTED/FAILED); SENT -> PRINTED settles the same attempt.
 */
function countsAsAttempt(from: PrintJobStatus, to: PrintJobStatus): boolean {
  return from === 'QUEUED' && (to === 'SENT' || to === 'PRINTED' || to === 'FAILED');
}

/** Pure: the job after the daemon's (or a person's) acknowledgement; the same status twice changes nothing. */
export function acknowledge(job: PrintJobState, to: PrintJobStatus, error?: string | null): Acknowledgement {
  if (job.status === to) return { changed: false };
  if (!PRINT_JOB_TRANSITIONS[job.status].includes(to)) {
    throw new DomainError('INVALID_TRANSITION', `a print job cannot go from ${job.status} to ${to}`, ['input', 'status']);
  }
  const text = error?.trim() ? error.trim().slice(0, MAX_ERROR_LENGTH) : null;
  return {
    changed: true,
    next: {
      status: to,
      attempts: job.attempts + (countsAsAttempt(job.status, to) ? 1 : 0),
      lastError: text ?? job.lastError,
    },
  };
}

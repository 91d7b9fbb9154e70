import { DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  MAX_ERROR_LENGTH,
  PRINT_JOB_STATUSES,
  PRINT_JOB_TRANSITIONS,
  type PrintJobState,
  type PrintJobStatus,
} from '../src/domain/print-job.ts';

const job = (status: PrintJobStatus, attempts = 0, lastError: string | null = null): PrintJobState => ({ status, attempts, lastError });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.errors[0]?.code : 'not a DomainError';
  }
  return undefined;
}

describe('print job acknowledgements', () => {
  it.each<[PrintJobStatus, PrintJobStatus]>([
    ['QUEUED', 'SENT'],
    ['SENT', 'PRINTED'],
    ['SENT', 'FAILED'],
    ['SENT', 'UNCERTAIN'],
    ['QUEUED', 'PRINTED'],
    ['QUEUED', 'FAILED'],
    ['FAILED', 'QUEUED'],
  ])('allows %s -> %s', (from, to) => {
    expect(acknowledge(job(from), to)).toMatchObject({ changed: true, next: { status: to } });
  });

  it.each<[PrintJobStatus, PrintJobStatus]>([
    ['PRINTED', 'QUEUED'],
    ['PRINTED', 'FAILED'],
    ['CANCELLED', 'QUEUED'],
    ['SENT', 'QUEUED'],
    ['FAILED', 'PRINTED'],
    ['QUEUED', 'UNCERTAIN'],
  ])('refuses %s -> %s as INVALID_TRANSITION', (from, to) => {
    expect(codeOf(() => acknowledge(job(from), to))).toBe('INVALID_TRANSITION');
  });

  it('treats the same status twice as a no-op', () => {
    for (const status of PRINT_JOB_STATUSES) expect(acknowledge(job(status, 3, 'x'), status)).toEqual({ changed: false });
  });

  it('never leaves a final status', () => {
    expect(PRINT_JOB_TRANSITIONS.PRINTED).toEqual([]);
    expect(PRINT_JOB_TRANSITIONS.CANCELLED).toEqual([]);
  });

  it('counts one attempt per try: leaving QUEUED, not settling a SENT job', () => {
    const sent = acknowledge(job('QUEUED'), 'SENT');
    expect(sent.changed && sent.next.attempts).toBe(1);
    const printed = acknowledge(job('SENT', 1), 'PRINTED');
    expect(printed.changed && printed.next.attempts).toBe(1);
    const direct = acknowledge(job('QUEUED', 1), 'FAILED');
    expect(direct.changed && direct.next.attempts).toBe(2);
    const retry = acknowledge(job('FAILED', 2), 'QUEUED');
    expect(retry.changed && retry.next.attempts).toBe(2);
  });

  it('keeps the error text, trimmed and cut to its limit', () => {
    const failed = acknowledge(job('SENT', 1), 'FAILED', '  paper out  ');
    expect(failed.changed && failed.next.lastError).toBe('paper out');
    const requeued = acknowledge(job('FAILED', 1, 'paper out'), 'QUEUED');
    expect(requeued.changed && requeued.next.lastError).toBe('paper out');
    const long = acknowledge(job('QUEUED'), 'FAILED', 'e'.repeat(MAX_ERROR_LENGTH + 50));
    expect(long.changed && long.next.lastError?.length).toBe(MAX_ERROR_LENGTH);
  });
});

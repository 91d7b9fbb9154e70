import { DomainError, type EntityManager } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { UUID } from '../domain/documents.ts';
import { acknowledge, type PrintJobStatus } from '../domain/print-job.ts';
import { PrintJob, type PrintJobRow } from '../entities.ts';
import { publishPrintJobStatusChanged } from '../events.ts';

export interface AcknowledgeInput {
  jobId: string;
  status: PrintJobStatus;
  error?: string | null;
}

/**
 * Applies a print daemon's acknowledgement under a row lock (two acks for one job queue up, so
 * neither is lost). `authorize` sees the job before anything changes.
 */
export async function acknowledgePrintJob(
  em: EntityManager,
  input: AcknowledgeInput,
  authorize: (job: PrintJobRow) => void | Promise<void> = () => {},
): Promise<PrintJobRow> {
  return em.transactional(async (tx) => {
    const job = UUID.test(input.jobId)
      ? await tx.findOne(PrintJob, { id: input.jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : null;
    if (!job) throw new DomainError('PRINT_JOB_NOT_FOUND', 'there is no such print job', ['input', 'jobId']);
    await authorize(job);
    const from = job.status;
    const result = acknowledge({ status: from, attempts: job.attempts, lastError: job.lastError ?? null }, input.status, input.error);
    if (!result.changed) return job;
    job.status = result.next.status;
    job.attempts = result.next.attempts;
    job.lastError = result.next.lastError;
    job.updatedAt = new Date();
    await tx.flush();
    await publishPrintJobStatusChanged(tx, job, from);
    return job;
  });
}

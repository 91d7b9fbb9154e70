import { DomainError, type EntityManager } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { UUID } from '../domain/documents.ts';
import { acknowledge, type PrintJobStatus } from '../domain/print-job.ts';
import { type PrinterRow, PrintJob, type PrintJobRow } from '../entities.ts';
import { publishPrintJobQueued, publishPrintJobStatusChanged } from '../events.ts';

/** What a job prints: a receipt's ticket, or a closed shift's Z report. */
export type PrintTarget = { receiptId: string; shiftId?: undefined } | { shiftId: string; receiptId?: undefined };

/** Queues a job for a printer inside the caller's transaction, with its print_job.queued event. */
export async function queuePrintJob(em: EntityManager, printer: PrinterRow, target: PrintTarget, copy: boolean): Promise<PrintJobRow> {
  const now = new Date();
  const job = em.create(PrintJob, {
    id: uuidv7(),
    tenantId: printer.tenantId,
    printerId: printer.id,
    storeId: printer.storeId,
    receiptId: target.receiptId ?? null,
    shiftId: target.shiftId ?? null,
    status: 'QUEUED',
    copy,
    attempts: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  await publishPrintJobQueued(em, job);
  return job;
}

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

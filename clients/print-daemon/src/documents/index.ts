/**
 * Which document a job carries and how it becomes a ticket. A document kind is a renderer
 * that recognises its part of the job; adding one (an invoice copy, a kitchen order) is one
 * entry here and its fields in operations.ts. A reprint gets the COPY banner whatever it is.
 */
import type { PrintJob } from '../job.ts';
import type { Ticket } from '../ticket.ts';
import { renderReceipt } from './receipt.ts';
import { renderZReport } from './z-report.ts';

export interface DocumentKind {
  name: string;
  /** this kind's ticket, or null when the job does not carry this kind of document */
  render: (job: PrintJob, width: number) => Ticket | null;
}

export const DOCUMENT_KINDS: readonly DocumentKind[] = [
  { name: 'receipt', render: (job, width) => (job.receipt ? renderReceipt(job.receipt, width) : null) },
  { name: 'z-report', render: (job, width) => (job.zReport ? renderZReport(job.zReport, width) : null) },
];

export class UnprintableJob extends Error {}

/** The job's ticket; throws UnprintableJob when no kind recognises it (a FAILED job, never retried). */
export function renderJob(job: PrintJob, width: number, kinds: readonly DocumentKind[] = DOCUMENT_KINDS): Ticket {
  for (const kind of kinds) {
    const ticket = kind.render(job, width);
    if (!ticket) continue;
    if (!job.copy) return ticket;
    return [{ kind: 'banner', text: 'COPY' }, { kind: 'blank' }, ...ticket, { kind: 'blank' }, { kind: 'banner', text: 'COPY' }];
  }
  throw new UnprintableJob(`job ${job.id} carries no document this daemon can print (${kinds.map((k) => k.name).join(', ')})`);
}

/**
 * What fiscal serves live (Subscription in schema.graphql), read from the event stream by each
 * instance (kit's live feed; docs/subscriptions.md):
 *   printJobQueued(printerId)  a job queued for that printer (a receipt's ticket, or a reprint)
 */
import { type CloudEvent, topicOf } from '@comanda/kafka';
import { type LiveFeed, liveChannel, liveMessage } from '@comanda/kit';
import type { PrintJobRow } from './entities.ts';

export const PRINT_JOB_QUEUED = 'comanda.fiscal.print_job.queued.v1';

export type QueuedPrintJob = Pick<
  PrintJobRow,
  'id' | 'tenantId' | 'printerId' | 'storeId' | 'receiptId' | 'shiftId' | 'status' | 'copy' | 'attempts' | 'lastError' | 'createdAt' | 'updatedAt'
>;

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/**
 * The job as it was queued, from the event alone: a print daemon gets it without a read per
 * event, and a job acknowledged meanwhile is still news to a daemon that was offline (its
 * acknowledgement is idempotent). Null for any other event.
 */
export function queuedPrintJob(event: CloudEvent): QueuedPrintJob | null {
  if (event.type !== PRINT_JOB_QUEUED) return null;
  const id = text(event.data.printJobId);
  const printerId = text(event.data.printerId);
  const storeId = text(event.data.storeId) ?? text(event.storeid);
  if (!id || !printerId || !storeId) return null;
  const at = new Date(event.time);
  return {
    id,
    tenantId: event.tenantid,
    printerId: printerId.toLowerCase(),
    storeId: storeId.toLowerCase(),
    receiptId: text(event.data.receiptId),
    shiftId: text(event.data.shiftId),
    status: 'QUEUED',
    copy: event.data.copy === true,
    attempts: 0,
    lastError: null,
    createdAt: at,
    updatedAt: at,
  };
}

export const liveFeed: LiveFeed = {
  topics: [topicOf('fiscal', 'print_job')],
  route(event, hub) {
    const job = queuedPrintJob(event);
    if (job) hub.publish(liveChannel('printJobQueued', event.tenantid, job.printerId), liveMessage(event, job, job.storeId));
  },
};

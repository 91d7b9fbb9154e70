import type { CloudEvent } from '@comanda/kafka';
import { LiveHub, liveChannel } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { liveFeed, PRINT_JOB_QUEUED, queuedPrintJob } from '../src/live.ts';

const JOB = '0193a5c4-7d2e-7b1a-9f00-000000000001';
const PRINTER = '0193a5c4-7d2e-7b1a-9f00-0000000000bb';
const STORE = '0193a5c4-7d2e-7b1a-9f00-0000000000aa';
const RECEIPT = '0193a5c4-7d2e-7b1a-9f00-0000000000cc';

const queued = (overrides: Partial<CloudEvent> = {}): CloudEvent => ({
  specversion: '1.0',
  id: crypto.randomUUID(),
  source: 'fiscal',
  type: PRINT_JOB_QUEUED,
  subject: JOB,
  time: '2026-01-02T03:04:05.000Z',
  tenantid: 'demo',
  storeid: STORE,
  sequence: 1,
  traceparent: null,
  datacontenttype: 'application/json',
  data: { printJobId: JOB, printerId: PRINTER.toUpperCase(), receiptId: RECEIPT, storeId: STORE, copy: true },
  ...overrides,
});

describe('printJobQueued from the event stream', () => {
  it('is the job as it was queued', () => {
    expect(queuedPrintJob(queued())).toEqual({
      id: JOB,
      tenantId: 'demo',
      printerId: PRINTER,
      storeId: STORE,
      receiptId: RECEIPT,
      shiftId: null,
      status: 'QUEUED',
      copy: true,
      attempts: 0,
      lastError: null,
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      updatedAt: new Date('2026-01-02T03:04:05.000Z'),
    });
  });

  it("carries a Z report job's shift", () => {
    const shiftId = '0193a5c4-7d2e-7b1a-9f00-0000000000dd';
    const job = queuedPrintJob(queued({ data: { printJobId: JOB, printerId: PRINTER, receiptId: null, shiftId, storeId: STORE, copy: false } }));
    expect(job).toMatchObject({ receiptId: null, shiftId, copy: false });
  });

  it('ignores status changes and incomplete events', () => {
    expect(queuedPrintJob(queued({ type: 'comanda.fiscal.print_job.status_changed.v1' }))).toBeNull();
    expect(queuedPrintJob(queued({ data: { printJobId: JOB } }))).toBeNull();
  });

  it("goes to its printer's channel only", async () => {
    const hub = new LiveHub();
    const identity = { tenantId: 'demo', userId: 'd', roles: ['device' as const], storeIds: null, printerId: PRINTER };
    const mine = hub.subscribe(liveChannel('printJobQueued', 'demo', PRINTER), identity);
    const other = hub.subscribe(liveChannel('printJobQueued', 'demo', crypto.randomUUID()), identity);
    liveFeed.route(queued(), hub);
    expect((await mine.next()).value?.value.payload).toMatchObject({ id: JOB, copy: true });
    expect(other.size).toBe(0);
  });
});

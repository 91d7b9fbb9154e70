import type { Identity } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, gql, other, subgraphGql, tokenFor, withSubgraphEm } from '../../../tests/support/client.ts';
import { fiscal, type InvoiceRequest, issueInvoice, issueReceipt, type ReceiptSnapshot } from '../src/index.ts';

const BUCHAREST = demo.stores[0]!;
const CLUJ = demo.stores[1]!;
const COMPANY = demo.customers.find((c) => c.kind === 'COMPANY')!;

function sale(storeId = BUCHAREST.id, orderId = uuidv7()): ReceiptSnapshot {
  return {
    orderId,
    storeId,
    currency: 'RON',
    total: '114.40',
    vatBreakdown: [
      { rate: '11', taxableAmount: '81.00', taxAmount: '8.90' },
      { rate: '21', taxableAmount: '20.25', taxAmount: '4.25' },
    ],
    lines: [
      { name: 'Espresso beans 1kg', sku: 'DEMO-001-S', quantity: '1', unitPrice: '89.90', total: '89.90', vatRate: '11' },
      { name: 'Tote bag', sku: 'DEMO-020-S', quantity: '1', unitPrice: '24.50', total: '24.50', vatRate: '21' },
    ],
    payments: [{ method: 'CASH', amount: '114.40', change: '5.60' }],
  };
}

function invoiceFor(orderId: string | null = uuidv7(), overrides: Partial<InvoiceRequest> = {}): InvoiceRequest {
  return {
    orderId,
    customerId: COMPANY.id,
    storeId: CLUJ.id,
    currency: 'RON',
    total: '121.00',
    vatBreakdown: [{ rate: '21', taxableAmount: '100.00', taxAmount: '21.00' }],
    dueDays: 30,
    ...overrides,
  };
}

const receiptFor = (snapshot: ReceiptSnapshot, tenantId = demo.tenantId) => withSubgraphEm(fiscal, tenantId, (em) => issueReceipt(em, snapshot));
const invoiceOf = (request: InvoiceRequest) => withSubgraphEm(fiscal, demo.tenantId, (em) => issueInvoice(em, request));

const device = (printerId: string, storeId: string): Partial<Identity> => ({ roles: ['device'], printerId, storeIds: [storeId] });
const cashierOf = (storeId: string): Partial<Identity> => ({ roles: ['cashier'], storeIds: [storeId] });

const PENDING = `query($p: ID!) { pendingPrintJobs(printerId: $p) { id status copy attempts receipt { id number } } }`;
const ACK = `mutation($i: AcknowledgePrintJobInput!) {
  acknowledgePrintJob(input: $i) { printJob { id status attempts lastError } userErrors { field message code } }
}`;
const REPRINT = `mutation($i: ReprintReceiptInput!) {
  reprintReceipt(input: $i) { printJob { id copy status printer { id } receipt { id } } userErrors { field code } }
}`;

async function jobOf(receiptId: string): Promise<string> {
  const rows = await adminQuery<{ id: string }>('select id from fiscal.print_job where receipt_id = $1 and not copy', [receiptId]);
  return rows[0]!.id;
}

describe('issuing receipts', () => {
  it('numbers receipts per store and year, queues the ticket and publishes both events', async () => {
    const receipt = await receiptFor(sale());
    expect(receipt.number).toMatch(/^BF-\d{4}-\d{6}$/);
    const jobs = await adminQuery('select printer_id, status, copy, attempts from fiscal.print_job where receipt_id = $1', [receipt.id]);
    expect(jobs).toEqual([{ printer_id: BUCHAREST.printerId, status: 'QUEUED', copy: false, attempts: 0 }]);
    const events = await adminQuery<{ type: string; data: Record<string, unknown> }>(
      `select type, data from fiscal.outbox where aggregate_id = $1 or data->>'receiptId' = $1 order by position`,
      [receipt.id],
    );
    expect(events.map((e) => e.type)).toEqual(['comanda.fiscal.receipt.issued.v1', 'comanda.fiscal.print_job.queued.v1']);
    expect(events[0]!.data).toMatchObject({ orderId: receipt.orderId, storeId: BUCHAREST.id, total: '114.40', currency: 'RON' });
  });

  it('issues one receipt per order, also for concurrent deliveries', async () => {
    const snapshot = sale();
    const receipts = await Promise.all(Array.from({ length: 20 }, () => receiptFor(snapshot)));
    expect(new Set(receipts.map((r) => r.id)).size).toBe(1);
    const jobs = await adminQuery('select id from fiscal.print_job where receipt_id = $1', [receipts[0]!.id]);
    expect(jobs).toHaveLength(1);
  });

  it('hands out gap-free, unique numbers under 200 concurrent issues', async () => {
    await Promise.all(Array.from({ length: 200 }, () => receiptFor(sale(CLUJ.id))));
    const rows = await adminQuery<{ seq: number }>('select seq from fiscal.receipt where tenant_id = $1 and store_id = $2 order by year, seq', [
      demo.tenantId,
      CLUJ.id,
    ]);
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  });

  it('refuses a snapshot whose VAT lines do not add up, writing nothing', async () => {
    const snapshot = { ...sale(), total: '114.41' };
    await expect(receiptFor(snapshot)).rejects.toMatchObject({ errors: [{ code: 'VAT_BREAKDOWN_MISMATCH' }] });
    expect(await adminQuery('select 1 from fiscal.receipt where order_id = $1', [snapshot.orderId])).toHaveLength(0);
  });

  it('keeps receipts immutable in the database', async () => {
    const receipt = await receiptFor(sale());
    await expect(adminQuery('update fiscal.receipt set total = 1 where id = $1', [receipt.id])).rejects.toThrow(/fiscal document/);
    await expect(adminQuery('delete from fiscal.receipt where id = $1', [receipt.id])).rejects.toThrow(/fiscal document/);
  });
});

describe('issuing invoices', () => {
  it('numbers invoices CMD-nnnnnn, DRAFT e-invoice for a Romanian company, and publishes invoice.issued', async () => {
    const invoice = await invoiceOf(invoiceFor());
    expect(invoice.number).toMatch(/^CMD-\d{6}$/);
    expect(invoice).toMatchObject({ status: 'ISSUED', eInvoiceStatus: 'DRAFT', series: 'CMD' });
    const events = await adminQuery<{ type: string }>('select type from fiscal.outbox where aggregate_id = $1', [invoice.id]);
    expect(events.map((e) => e.type)).toEqual(['comanda.fiscal.invoice.issued.v1']);
    const person = await invoiceOf(invoiceFor(uuidv7(), { buyerKind: 'PERSON' }));
    expect(person.eInvoiceStatus).toBe('NOT_REQUIRED');
  });

  it('issues one invoice per order and gap-free numbers under concurrency', async () => {
    const orderId = uuidv7();
    const twins = await Promise.all(Array.from({ length: 10 }, () => invoiceOf(invoiceFor(orderId))));
    expect(new Set(twins.map((i) => i.id)).size).toBe(1);
    await Promise.all(Array.from({ length: 50 }, () => invoiceOf(invoiceFor())));
    const rows = await adminQuery<{ seq: number }>(
      `select seq from fiscal.invoice where tenant_id = $1 and series = 'CMD' and year = $2 order by seq`,
      [demo.tenantId, twins[0]!.year],
    );
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  });

  it('refuses to change an issued invoice', async () => {
    const invoice = await invoiceOf(invoiceFor());
    await expect(adminQuery('update fiscal.invoice set total = 1 where id = $1', [invoice.id])).rejects.toThrow(/is issued/);
    await adminQuery(`update fiscal.invoice set status = 'PAID' where id = $1`, [invoice.id]);
  });
});

describe('reading documents', () => {
  it('resolves Order.invoice/receipt, Customer.invoices and OVERDUE, batched and by reference', async () => {
    const orderId = uuidv7();
    const receipt = await receiptFor(sale(BUCHAREST.id, orderId));
    const invoice = await invoiceOf(
      invoiceFor(orderId, {
        storeId: BUCHAREST.id,
        total: '114.40',
        vatBreakdown: sale().vatBreakdown,
        dueDays: 0,
        issuedAt: new Date(Date.now() - 3 * 86_400_000),
      }),
    );
    const res = await subgraphGql(
      'fiscal',
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Order { id invoice { id number status eInvoiceStatus total { amount currencyCode } vatBreakdown { rate taxableAmount { amount } taxAmount { amount } } order { id } customer { id } }
                       receipt { id number total { amount } printJobs { status copy } } }
        ... on Customer { invoices { id } }
      } }`,
      {
        r: [
          { __typename: 'Order', id: orderId },
          { __typename: 'Order', id: 'not-a-uuid' },
          { __typename: 'Customer', id: COMPANY.id },
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    const [order, malformed, customer] = res.data._entities;
    expect(order.invoice).toMatchObject({
      id: invoice.id,
      status: 'OVERDUE',
      eInvoiceStatus: 'DRAFT',
      total: { amount: '114.40', currencyCode: 'RON' },
      order: { id: orderId },
    });
    expect(order.invoice.vatBreakdown).toEqual([
      { rate: '11', taxableAmount: { amount: '81.00' }, taxAmount: { amount: '8.90' } },
      { rate: '21', taxableAmount: { amount: '20.25' }, taxAmount: { amount: '4.25' } },
    ]);
    expect(order.receipt).toMatchObject({ id: receipt.id, number: receipt.number, printJobs: [{ status: 'QUEUED', copy: false }] });
    expect(malformed).toEqual({ id: 'not-a-uuid', invoice: null, receipt: null });
    expect(customer.invoices.map((i: { id: string }) => i.id)).toContain(invoice.id);
  });

  it('answers unknown and malformed ids with null, and hides another tenant', async () => {
    const receipt = await receiptFor(sale());
    const res = await subgraphGql(
      'fiscal',
      `query($id: ID!) { a: receipt(id: $id) { id } b: receipt(id: "nope") { id } c: invoice(id: "${uuidv7()}") { id } }`,
      { id: receipt.id },
    );
    expect(res.data).toEqual({ a: { id: receipt.id }, b: null, c: null });
    const foreign = await subgraphGql('fiscal', `query($id: ID!) { receipt(id: $id) { id } }`, { id: receipt.id }, { tenantId: other.tenantId });
    expect(foreign.data).toEqual({ receipt: null });
  });

  it('counts receipts issued today and overdue invoices per store', async () => {
    const before = await subgraphGql(
      'fiscal',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { receiptsToday overdueInvoices } } }`,
      {
        r: [{ __typename: 'StoreMetrics', storeId: BUCHAREST.id, timezone: BUCHAREST.timezone }],
      },
    );
    await receiptFor(sale());
    await invoiceOf(invoiceFor(uuidv7(), { storeId: BUCHAREST.id, dueDays: 0, issuedAt: new Date(Date.now() - 86_400_000) }));
    const after = await subgraphGql(
      'fiscal',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { receiptsToday overdueInvoices } } }`,
      {
        r: [{ __typename: 'StoreMetrics', storeId: BUCHAREST.id, timezone: BUCHAREST.timezone }],
      },
    );
    const [b] = before.data._entities;
    const [a] = after.data._entities;
    expect(a.receiptsToday).toBe(b.receiptsToday + 1);
    expect(a.overdueInvoices).toBe(b.overdueInvoices + 1);
  });

  it('lists a store printer and refuses stores outside the token', async () => {
    const res = await subgraphGql(
      'fiscal',
      `query($s: ID!) { printers(storeId: $s) { id name store { id } } }`,
      { s: BUCHAREST.id },
      cashierOf(BUCHAREST.id),
    );
    expect(res.data.printers).toEqual([{ id: BUCHAREST.printerId, name: BUCHAREST.printerName, store: { id: BUCHAREST.id } }]);
    const refused = await subgraphGql('fiscal', `query($s: ID!) { printers(storeId: $s) { id } }`, { s: CLUJ.id }, cashierOf(BUCHAREST.id));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('print jobs', () => {
  it("lets a print daemon read and acknowledge only its own printer's jobs", async () => {
    const receipt = await receiptFor(sale());
    const jobId = await jobOf(receipt.id);
    const daemon = device(BUCHAREST.printerId, BUCHAREST.id);
    const pending = await subgraphGql('fiscal', PENDING, { p: BUCHAREST.printerId }, daemon);
    expect(pending.data.pendingPrintJobs.map((j: { id: string }) => j.id)).toContain(jobId);

    const elsewhere = await subgraphGql('fiscal', PENDING, { p: CLUJ.printerId }, daemon);
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const foreignAck = await subgraphGql('fiscal', ACK, { i: { jobId, status: 'SENT' } }, device(CLUJ.printerId, CLUJ.id));
    expect(foreignAck.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await adminQuery('select status from fiscal.print_job where id = $1', [jobId]))[0]).toEqual({ status: 'QUEUED' });

    const steps: [string, string | null, Record<string, unknown>][] = [
      ['SENT', null, { status: 'SENT', attempts: 1 }],
      ['SENT', null, { status: 'SENT', attempts: 1 }],
      ['FAILED', 'paper out', { status: 'FAILED', attempts: 1, lastError: 'paper out' }],
      ['QUEUED', null, { status: 'QUEUED', attempts: 1, lastError: 'paper out' }],
      ['PRINTED', null, { status: 'PRINTED', attempts: 2 }],
    ];
    for (const [status, error, expected] of steps) {
      const res = await subgraphGql('fiscal', ACK, { i: { jobId, status, error } }, daemon);
      expect(res.data.acknowledgePrintJob).toMatchObject({ printJob: expected, userErrors: [] });
    }
    const invalid = await subgraphGql('fiscal', ACK, { i: { jobId, status: 'QUEUED' } }, daemon);
    expect(invalid.data.acknowledgePrintJob).toEqual({
      printJob: null,
      userErrors: [expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['input', 'status'] })],
    });
    const unknown = await subgraphGql('fiscal', ACK, { i: { jobId: uuidv7(), status: 'SENT' } }, daemon);
    expect(unknown.data.acknowledgePrintJob.userErrors[0].code).toBe('PRINT_JOB_NOT_FOUND');

    const changes = await adminQuery<{ data: { from: string; to: string } }>(
      `select data from fiscal.outbox where aggregate_id = $1 and type = 'comanda.fiscal.print_job.status_changed.v1' order by sequence`,
      [jobId],
    );
    expect(changes.map((c) => `${c.data.from}->${c.data.to}`)).toEqual(['QUEUED->SENT', 'SENT->FAILED', 'FAILED->QUEUED', 'QUEUED->PRINTED']);
    const after = await subgraphGql('fiscal', PENDING, { p: BUCHAREST.printerId }, daemon);
    expect(after.data.pendingPrintJobs.map((j: { id: string }) => j.id)).not.toContain(jobId);
  });

  it('lists pending jobs oldest first', async () => {
    const first = await receiptFor(sale());
    const second = await receiptFor(sale());
    const res = await subgraphGql('fiscal', PENDING, { p: BUCHAREST.printerId }, device(BUCHAREST.printerId, BUCHAREST.id));
    const ids: string[] = res.data.pendingPrintJobs.map((j: { receipt: { id: string } }) => j.receipt.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
  });

  it('reprints a receipt as a new copy job; staff only, in their stores', async () => {
    const receipt = await receiptFor(sale());
    const res = await subgraphGql('fiscal', REPRINT, { i: { receiptId: receipt.id } }, cashierOf(BUCHAREST.id));
    expect(res.data.reprintReceipt).toMatchObject({
      printJob: { copy: true, status: 'QUEUED', printer: { id: BUCHAREST.printerId }, receipt: { id: receipt.id } },
      userErrors: [],
    });
    const queued = await adminQuery(`select 1 from fiscal.outbox where aggregate_id = $1 and type = 'comanda.fiscal.print_job.queued.v1'`, [
      res.data.reprintReceipt.printJob.id,
    ]);
    expect(queued).toHaveLength(1);
    const missing = await subgraphGql('fiscal', REPRINT, { i: { receiptId: 'nope' } });
    expect(missing.data.reprintReceipt.userErrors[0].code).toBe('RECEIPT_NOT_FOUND');
    const otherStore = await subgraphGql('fiscal', REPRINT, { i: { receiptId: receipt.id } }, cashierOf(CLUJ.id));
    expect(otherStore.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const daemon = await subgraphGql('fiscal', REPRINT, { i: { receiptId: receipt.id } }, device(BUCHAREST.printerId, BUCHAREST.id));
    expect(daemon.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('through the gateway', () => {
  it("serves a print daemon's catch-up and the dashboard's fiscal figures", async () => {
    const receipt = await receiptFor(sale());
    const token = await tokenFor({ role: 'device', printer: BUCHAREST.printerId, store: BUCHAREST.id });
    const jobs = await gql(
      `query($p: ID!) { pendingPrintJobs(printerId: $p) { id receipt { id number store { name } total { amount currencyCode } } } }`,
      { p: BUCHAREST.printerId },
      { token },
    );
    expect(jobs.errors).toBeUndefined();
    expect(jobs.data.pendingPrintJobs.find((j: { receipt: { id: string } }) => j.receipt.id === receipt.id)?.receipt).toMatchObject({
      number: receipt.number,
      store: { name: BUCHAREST.name },
      total: { amount: '114.40', currencyCode: 'RON' },
    });
    const metrics = await gql(`query($s: ID!) { storeMetrics(storeId: $s) { storeId receiptsToday overdueInvoices } }`, { s: BUCHAREST.id });
    expect(metrics.errors).toBeUndefined();
    expect(metrics.data.storeMetrics.receiptsToday).toBeGreaterThan(0);
  });
});

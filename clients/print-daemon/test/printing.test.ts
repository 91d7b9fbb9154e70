/**
 * The daemon against the real stack (gateway, subgraphs, events) and a fake printer that is a
 * real TCP server: sales become tickets, once, through printer faults; reprints say COPY; a
 * token of another store gets nothing. The daemon runs in this process; recovery.test.ts
 * kills it as a child process.
 */
import { type Client, createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { adminQuery, eventually, gatewayUrl, gql } from '../../../tests/support/client.ts';
import { Forbidden } from '../src/daemon.ts';
import { formatAmount } from '../src/money.ts';
import { PRINT_QUEUE } from '../src/operations.ts';
import { printable } from '../src/text.ts';
import { type DecodedTicket, decodeTickets } from './support/escpos-decode.ts';
import { FakePrinter } from './support/fake-printer.ts';
import { deviceOf, type InProcessDaemon, jobsWhen, managerOf, printTenant, receiptOf, runDaemon, seedTenant, sell } from './support/harness.ts';

const tenant = printTenant('printing');
const store = tenant.stores[0]!;
const printers: FakePrinter[] = [];
const daemons: InProcessDaemon[] = [];

async function printerAndDaemon(options: Parameters<typeof runDaemon>[2] = {}) {
  const printer = await FakePrinter.start();
  printers.push(printer);
  const running = await runDaemon(tenant, printer.address, options);
  daemons.push(running);
  await running.live;
  return { printer, ...running };
}

const ticketsOf = (printer: FakePrinter, receiptNumber: string): DecodedTicket[] =>
  decodeTickets(printer.received()).filter((t) => t.text.includes(receiptNumber));

beforeAll(async () => {
  await seedTenant(tenant);
});

afterEach(async () => {
  for (const { daemon } of daemons.splice(0)) await daemon.stop();
  for (const printer of printers.splice(0)) await printer.stop();
});

describe('a sale through the gateway', () => {
  it('ends as bytes at the printer whose text holds the receipt number, lines, VAT and totals', async () => {
    const { printer, daemon } = await printerAndDaemon();
    const acked = new Promise<{ id: string; status: string }>((resolve) =>
      daemon.events.on('acked', (a) => {
        if (a.status === 'PRINTED') resolve(a);
      }),
    );
    const sale = await sell(tenant);
    await printer.waitForTickets(1);
    const receipt = await receiptOf(tenant, sale.orderId);
    const [ticket, ...more] = ticketsOf(printer, receipt.number);
    expect(more).toEqual([]);
    const text = ticket!.text;

    expect(text).toContain(printable(store.name));
    expect(text).toContain(`Receipt${' '.repeat(48 - 7 - receipt.number.length)}${receipt.number}`);
    expect(text).toContain(sale.orderNumber);
    expect(receipt.lines.length).toBe(2);
    for (const line of receipt.lines) {
      expect(text).toContain(printable(line.name));
      expect(text).toMatch(
        new RegExp(`${line.quantity.replace(/\.0+$/, '')} x ${formatAmount(line.unitPrice.amount)} .* ${formatAmount(line.total.amount)}`),
      );
    }
    for (const vat of receipt.vatBreakdown) {
      const rate = `${vat.rate.replace(/\.0+$/, '')}%`;
      expect(text).toMatch(new RegExp(`^${rate} +${vat.taxableAmount.amount} +${vat.taxAmount.amount} `, 'm'));
    }
    expect(ticket!.lines).toContain(`TOTAL${' '.repeat(24 - 5 - receipt.total.amount.length - 4)}${receipt.total.amount} RON`);
    const cash = receipt.payments[0]!;
    expect(text).toMatch(new RegExp(`^Cash +${cash.amount.amount}$`, 'm'));
    expect(text).toMatch(new RegExp(`^Change +${cash.change!.amount}$`, 'm'));
    expect(ticket!.qr).toEqual([receipt.qrPayload]);
    expect(ticket!.inverted).toEqual([]);

    // acknowledged PRINTED after one attempt
    expect((await acked).id).toBe(receipt.printJobs[0]!.id);
    const [job] = await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'PRINTED');
    expect(job).toMatchObject({ status: 'PRINTED', copy: false, attempts: 1 });
  });

  it('ignores a duplicate delivery of a job it printed', async () => {
    const { printer, logs } = await printerAndDaemon();
    const sale = await sell(tenant);
    await printer.waitForTickets(1);
    const receipt = await receiptOf(tenant, sale.orderId);
    const jobId = receipt.printJobs[0]!.id;
    await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'PRINTED');
    // the job's print_job.queued event once more in the log, under a new event id (the live hub
    // drops an id it has seen): the live stream delivers the same job again
    await adminQuery(
      `insert into events.log (topic, key, value, headers)
       select topic, key, jsonb_set(value::jsonb, '{id}', to_jsonb(gen_random_uuid()::text))::text, headers from events.log
        where key = $1 and value::jsonb->>'type' = 'comanda.fiscal.print_job.queued.v1'`,
      [jobId],
    );
    await eventually(async () => logs.some((l) => l.msg === 'ignored' && l.jobId === jobId && l.source === 'live'));
    expect(ticketsOf(printer, receipt.number)).toHaveLength(1);
    expect(printer.tickets).toBe(1);
  });
});

describe('printer faults', () => {
  it('prints once a printer offline for 20 s is back: away 10 s, then answering offline 10 s', async () => {
    const { printer, daemon, logs } = await printerAndDaemon({ reportAfterMs: 3_000 });
    const waits: string[] = [];
    daemon.events.on('waiting', ({ reason }) => waits.push(reason));
    await printer.goAway();
    const sale = await sell(tenant);
    const receipt = await receiptOf(tenant, sale.orderId);

    // reported: FAILED with the reason, while the daemon keeps it
    const reported = await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'FAILED', 15_000);
    expect(reported[0]!.lastError).toMatch(/^waiting: printer unreachable/);
    await new Promise((r) => setTimeout(r, 10_000 - 3_000));
    printer.state = 'offline';
    await printer.comeBack();
    await eventually(async () => waits.includes('printer offline'), 5_000);
    await new Promise((r) => setTimeout(r, 10_000));
    expect(printer.received().length).toBe(0);

    printer.state = 'online';
    await printer.waitForTickets(1, 10_000);
    const [job] = await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'PRINTED');
    // the reported attempt and the one that printed
    expect(job).toMatchObject({ status: 'PRINTED', attempts: 2 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(ticketsOf(printer, receipt.number)).toHaveLength(1);
    expect(printer.tickets).toBe(1);
    expect(waits[0]).toMatch(/^printer unreachable/);
    expect(logs.filter((l) => l.level === 'warn' && l.msg === 'printer not ready; the job waits').map((l) => l.reason)).toEqual([
      expect.stringMatching(/^printer unreachable/),
      'printer offline',
    ]);
  }, 60_000);

  it('waits while the paper is out and reports it; a reprint then prints with COPY', async () => {
    const { printer, logs } = await printerAndDaemon({ reportAfterMs: 500 });
    printer.state = 'paper-out';
    const sale = await sell(tenant);
    const receipt = await receiptOf(tenant, sale.orderId);
    const [waiting] = await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'FAILED');
    expect(waiting).toMatchObject({ status: 'FAILED', attempts: 1, lastError: 'waiting: paper out; the daemon prints it once the printer is ready' });
    expect(logs.some((l) => l.msg === 'printer not ready; the job waits' && l.reason === 'paper out' && l.jobId === waiting!.id)).toBe(true);
    const asked = printer.statusRequests;
    await eventually(async () => printer.statusRequests > asked + 3, 5_000);
    expect(printer.received().length).toBe(0);

    printer.state = 'online';
    await printer.waitForTickets(1);
    await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'PRINTED');

    const reprint = await gql(
      'mutation($i: ReprintReceiptInput!) { reprintReceipt(input: $i) { printJob { id copy status } userErrors { code } } }',
      { i: { receiptId: receipt.id } },
      { token: await managerOf(tenant) },
    );
    expect(reprint.data.reprintReceipt).toMatchObject({ printJob: { copy: true, status: 'QUEUED' }, userErrors: [] });
    await printer.waitForTickets(2);
    const [original, copy] = ticketsOf(printer, receipt.number);
    expect(original!.inverted).toEqual([]);
    expect(copy!.inverted).toEqual(['COPY', 'COPY']);
    expect(copy!.lines[0]!.trim()).toBe('COPY');
    // the same receipt, the same QR
    expect(copy!.qr).toEqual(original!.qr);
    const jobs = await jobsWhen(tenant, sale.orderId, (all) => all.length === 2 && all.every((j) => j.status === 'PRINTED'));
    expect(jobs.map((j) => j.copy)).toEqual([false, true]);
  });
});

describe('a shift closed', () => {
  it("prints its Z report with the server's figures", async () => {
    const { printer } = await printerAndDaemon();
    const token = await managerOf(tenant);
    const opened = await gql(
      'mutation($i: OpenShiftInput!) { openShift(input: $i) { shift { id } userErrors { code message } } }',
      { i: { storeId: store.id, printerId: store.printerId, openingFloat: '200.00', idempotencyKey: crypto.randomUUID() } },
      { token },
    );
    expect(opened.data.openShift.userErrors).toEqual([]);
    const shiftId = opened.data.openShift.shift.id;
    const sale = await sell(tenant);
    await printer.waitForTickets(1);
    await receiptOf(tenant, sale.orderId);
    const closed = await gql(
      `mutation($i: CloseShiftInput!) { closeShift(input: $i) {
        printJob { id }
        shift { zReport { number receiptsCount grossSales { amount } netSales { amount } cashSales { amount } expectedCash { amount } countedCash { amount } discrepancy { amount } } }
        userErrors { code message } } }`,
      { i: { shiftId, countedCash: '250.00', idempotencyKey: crypto.randomUUID() } },
      { token },
    );
    expect(closed.data.closeShift.userErrors).toEqual([]);
    const z = closed.data.closeShift.shift.zReport;
    expect(z.receiptsCount).toBe(1);

    await printer.waitForTickets(2);
    const [ticket] = decodeTickets(printer.received()).filter((t) => t.text.includes('Z REPORT'));
    const text = ticket!.text;
    expect(text).toMatch(new RegExp(`^Z number +${z.number}$`, 'm'));
    expect(text).toMatch(/^Receipts +1$/m);
    expect(text).toMatch(new RegExp(`^Gross sales +${z.grossSales.amount}$`, 'm'));
    expect(text).toMatch(new RegExp(`^NET SALES +${z.netSales.amount}$`, 'm'));
    expect(text).toMatch(new RegExp(`^ {2}Cash \\(1\\) +${z.cashSales.amount}$`, 'm'));
    expect(text).toMatch(new RegExp(`^ {2}Expected cash +${z.expectedCash.amount}\\n {2}Counted cash +250.00$`, 'm'));
    expect(ticket!.lines.some((l) => l.startsWith('DISCREPANCY') && l.endsWith(formatAmount(z.discrepancy.amount)))).toBe(true);
    const printed = await eventually(async () => {
      const res = await gql('query($p: ID!) { pendingPrintJobs(printerId: $p) { id } }', { p: store.printerId }, { token });
      return res.data.pendingPrintJobs.some((j: { id: string }) => j.id === closed.data.closeShift.printJob.id) ? null : true;
    });
    expect(printed).toBe(true);
  });
});

describe('another store', () => {
  let client: Client | null = null;
  afterAll(async () => {
    await client?.dispose();
  });

  it('a device token of another store cannot subscribe to this printer, and a daemon with it stops without printing', async () => {
    const otherStoresToken = await deviceOf(tenant, tenant.stores[1]!);
    client = createClient({
      url: gatewayUrl().replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${otherStoresToken}` },
      retryAttempts: 0,
    });
    const results: { errors?: { extensions?: { code?: string } }[] }[] = [];
    await new Promise<void>((resolve, reject) => {
      client!.subscribe(
        { query: PRINT_QUEUE, variables: { printerId: store.printerId } },
        { next: (r) => void results.push(r as never), error: reject, complete: resolve },
      );
    });
    expect(results).toHaveLength(1);
    expect(results[0]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const printer = await FakePrinter.start();
    printers.push(printer);
    const { daemon, logs } = await runDaemon(tenant, printer.address, { token: otherStoresToken });
    await expect(daemon.done).rejects.toBeInstanceOf(Forbidden);
    expect(logs.some((l) => l.level === 'error' && l.msg === 'stopping: the gateway refused this daemon')).toBe(true);
    // its own printer, by contrast, is fine for that token
    const own = await gql(
      'query($p: ID!) { pendingPrintJobs(printerId: $p) { id } }',
      { p: tenant.stores[1]!.printerId },
      { token: otherStoresToken },
    );
    expect(own.errors).toBeUndefined();
    expect(printer.received().length).toBe(0);
  });
});

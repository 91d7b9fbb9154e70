/**
 * What the daemon survives: its own death in the middle of a ticket (SIGKILL, the daemon a
 * child process as in production) and a gateway restart (a gateway of this file's own, on the
 * stack's subgraphs, stopped and started again on the same port).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayRuntime, loadKeys, startGateway } from '@comanda/gateway';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { gatewayUrl } from '../../../tests/support/client.ts';
import { decodeTickets } from './support/escpos-decode.ts';
import { FakePrinter } from './support/fake-printer.ts';
import {
  type ChildDaemon,
  deviceOf,
  type IssuedReceipt,
  jobsWhen,
  printTenant,
  receiptOf,
  runDaemon,
  type Sale,
  seedTenant,
  sell,
  spawnDaemon,
} from './support/harness.ts';

const tenant = printTenant('recovery');
const store = tenant.stores[0]!;
const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

beforeAll(() => seedTenant(tenant));

async function fakePrinter(): Promise<FakePrinter> {
  const printer = await FakePrinter.start();
  cleanup.push(() => printer.stop());
  return printer;
}

function daemonProcess(args: string[], env: Record<string, string> = {}): ChildDaemon {
  const daemon = spawnDaemon(args, env);
  cleanup.push(async () => {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
  });
  return daemon;
}

const settled = (line: { msg: string; why?: unknown }) => line.msg === 'caught up' && line.why === 'settled after connecting';

describe('the daemon killed (SIGKILL) in the middle of a ticket, then restarted', () => {
  async function killedAt(stall: 'after-send' | 'after-outcome') {
    const printer = await fakePrinter();
    const args = [
      ...['--gateway', gatewayUrl(), '--token', await deviceOf(tenant), '--printer-id', store.printerId],
      ...['--printer', printer.address, '--spool', mkdtempSync(join(tmpdir(), 'comanda-print-kill-'))],
    ];
    const first = daemonProcess(args, { COMANDA_PRINT_TEST_STALL: stall });
    await first.waitForLog(settled);
    const sale = await sell(tenant);
    // every byte of the ticket is at the printer, and the daemon stands still before its acknowledgement
    await printer.waitForTickets(1);
    await first.waitForLog((l) => l.msg === 'stalled by COMANDA_PRINT_TEST_STALL' && l.point === stall);
    const [claimed] = (await receiptOf(tenant, sale.orderId)).printJobs;
    expect(claimed).toMatchObject({ status: 'SENT', attempts: 1 });
    first.child.kill('SIGKILL');
    await first.exited;

    const second = daemonProcess(args);
    await second.waitForLog(settled);
    return { printer, sale, second, jobId: claimed!.id };
  }

  it('after sending, before recording the outcome: not sent again, acknowledged UNCERTAIN', async () => {
    const { printer, sale, second, jobId } = await killedAt('after-send');
    const [job] = await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'UNCERTAIN');
    expect(job).toMatchObject({ id: jobId, status: 'UNCERTAIN', attempts: 1, lastError: 'the daemon stopped while sending this ticket' });
    // the catch-up after the restart lists it (UNCERTAIN is pending for a person), and the daemon leaves it
    await second.waitForLog((l) => l.msg === 'ignored' && l.jobId === jobId && l.source === 'catch-up');
    expect(printer.tickets).toBe(1);
    expect(decodeTickets(printer.received())).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('after recording the outcome, before the acknowledgement: not sent again, acknowledged PRINTED', async () => {
    const { printer, sale, second, jobId } = await killedAt('after-outcome');
    const [job] = await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'PRINTED');
    expect(job).toMatchObject({ id: jobId, status: 'PRINTED', attempts: 1 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(printer.tickets).toBe(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});

describe('the gateway restarted', () => {
  it('reconnects and catches up the jobs queued meanwhile, in order', async () => {
    const keys = await loadKeys(inject('keysDir'));
    const startOwnGateway = (port: number) => startGateway({ port, keys, subgraphUrls: inject('subgraphUrls') });
    let gateway: GatewayRuntime = await startOwnGateway(0);
    cleanup.push(() => gateway.stop());
    const printer = await fakePrinter();
    const { daemon, logs, live } = await runDaemon(tenant, printer.address, { url: gateway.url });
    cleanup.push(() => daemon.stop());
    await live;

    const before = await sell(tenant);
    await printer.waitForTickets(1);
    await jobsWhen(tenant, before.orderId, (jobs) => jobs[0]?.status === 'PRINTED');

    const port = gateway.port;
    await gateway.stop();
    // three sales through the stack's gateway while this one is down: their jobs wait in fiscal
    const sales: Sale[] = [];
    for (let i = 0; i < 3; i++) sales.push(await sell(tenant));
    const receipts: IssuedReceipt[] = [];
    for (const sale of sales) receipts.push(await receiptOf(tenant, sale.orderId));
    expect(printer.tickets).toBe(1);

    gateway = await startOwnGateway(port);
    await printer.waitForTickets(4, 60_000);
    const printed = decodeTickets(printer.received())
      .slice(1)
      .map((t) => receipts.find((r) => t.text.includes(r.number))?.number);
    expect(printed).toEqual(receipts.map((r) => r.number));
    expect(logs.some((l) => l.msg === 'connected to the gateway' && l.wasRetry === true)).toBe(true);
    expect(logs.some((l) => l.msg === 'caught up' && l.why === 'reconnected')).toBe(true);
    for (const sale of sales) await jobsWhen(tenant, sale.orderId, (jobs) => jobs[0]?.status === 'PRINTED');
    expect(printer.tickets).toBe(4);
  }, 120_000);
});

/**
 * Sale to paper: from recordPayment's answer to the last byte of the sale's ticket at a fake
 * printer (a real TCP server in this process), through the whole pipeline: payment captured,
 * order confirmed, receipt issued, print job queued, the event to the fiscal live feed, the
 * gateway's subscription (rest resolved across subgraphs), the print daemon (its own process,
 * as deployed: spool fsync, DLE EOT status, SENT, the ticket, status again, PRINTED).
 * 200 sales one at a time, so each sample is one ticket's way with nothing queued before it.
 *
 * Baselines measured in the same run: recordPayment's own latency (the request the cashier
 * waits for), and the raw printer round trip (status, a ticket of the same size, status again
 * on one TCP connection), the floor for anything that prints.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadKeys, mintToken } from '@comanda/gateway';
import { renderJob } from '../../clients/print-daemon/src/documents/index.ts';
import { encodeTicket } from '../../clients/print-daemon/src/escpos.ts';
import { openPrinter } from '../../clients/print-daemon/src/printer/index.ts';
import { decodeTickets } from '../../clients/print-daemon/test/support/escpos-decode.ts';
import { FakePrinter } from '../../clients/print-daemon/test/support/fake-printer.ts';
import { sampleJob } from '../../clients/print-daemon/test/support/fixtures.ts';
import { demoTenant } from '../../scripts/demo/data.ts';
import { startStackProcess } from './stack-process.ts';

const SALES = Number(process.env.BENCH_PRINT_SALES ?? 200);
const WARMUP = 10;

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id number total { amount } } userErrors { code message } } }`;
const PAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { payment { id state } userErrors { code message } } }`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const summary = (values: number[]) => ({
  p50: +percentile(values, 50).toFixed(1),
  p95: +percentile(values, 95).toFixed(1),
  max: +Math.max(...values).toFixed(1),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call(url: string, token: string, query: string, variables: object) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: unknown[] };
}

/** Status, a receipt-sized ticket, status: what the daemon does at the printer, without the rest. */
async function rawPrinterRoundTrips(count: number): Promise<number[]> {
  const printer = await FakePrinter.start();
  const port = openPrinter(printer.address);
  const bytes = encodeTicket(renderJob(sampleJob(), 48), { columns: 48, codepage: 'cp852' });
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await port.status();
      const printed = printer.waitForTickets(i + 1);
      await port.send(bytes);
      await port.status();
      await printed;
      samples.push(performance.now() - t0);
    }
  } finally {
    await port.close();
    await printer.stop();
  }
  return samples;
}

export async function run(_: { seconds: number; concurrency: number }): Promise<void> {
  const stack = await startStackProcess('comanda_bench_print');
  const printer = await FakePrinter.start();
  const spool = mkdtempSync(join(tmpdir(), 'comanda-bench-print-'));
  const store = demoTenant.stores[0]!;
  const keys = await loadKeys();
  const manager = await mintToken({ tenant: demoTenant.tenantId, role: 'manager' }, keys.privateKey!);
  const device = await mintToken({ tenant: demoTenant.tenantId, role: 'device', printer: store.printerId, stores: [store.id] }, keys.privateKey!);
  const daemon = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('../../clients/print-daemon/src/main.ts', import.meta.url)),
      ...['--gateway', stack.gatewayUrl, '--token', device, '--printer-id', store.printerId, '--printer', printer.address, '--spool', spool],
    ],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const daemonLog: string[] = [];
  createInterface({ input: daemon.stdout! }).on('line', (line) => daemonLog.push(line));

  try {
    const variants = demoTenant.products.flatMap((p) => p.variants);
    const numbers: string[] = [];
    const withoutReceipt: string[] = [];
    const toPaper: number[] = [];
    const payment: number[] = [];

    console.log(`print: ${SALES} POS sales one at a time (after ${WARMUP} to warm up), daemon in its own process, fake printer over TCP`);
    // the daemon needs a moment to connect and subscribe; the first sales also warm every path
    await sleep(3000);
    for (let i = 0; numbers.length < SALES; i++) {
      if (withoutReceipt.length > SALES / 10) throw new Error(`${withoutReceipt.length} sales got no receipt: the stack is not healthy`);
      const lines = [0, 1, 2].map((k) => ({ variantId: variants[(i * 3 + k) % variants.length]!.id, quantity: String(1 + (k % 2)) }));
      const placed = await call(stack.gatewayUrl, manager, PLACE, {
        input: { storeId: store.id, clientOrderId: `bench-print-${Date.now()}-${i}`, channel: 'POS', lines },
      });
      const order = placed.data?.placeOrder?.order;
      if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(placed)}`);
      const ticketsBefore = printer.tickets;
      const printed = new Promise<number>((resolve) => {
        const onTicket = ({ count, at }: { count: number; at: number }) => {
          if (count <= ticketsBefore) return;
          printer.off('ticket', onTicket);
          resolve(at);
        };
        printer.on('ticket', onTicket);
      });
      // payments learns the order from its placed event: retry until it has
      let answered = 0;
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        const paid = await call(stack.gatewayUrl, manager, PAY, {
          input: {
            orderId: order.id,
            idempotencyKey: `bench-print-pay-${order.id}`,
            method: 'CASH',
            amount: order.total.amount,
            tendered: order.total.amount,
          },
        });
        const errors = paid.data?.recordPayment?.userErrors ?? [];
        if (paid.data?.recordPayment?.payment && !errors.length) {
          answered = performance.now();
          if (i >= WARMUP) payment.push(answered - t0);
          break;
        }
        if (attempt > 100) throw new Error(`recordPayment failed: ${JSON.stringify(paid)}`);
        await sleep(20);
      }
      const at = await Promise.race([printed, sleep(15_000).then(() => null)]);
      if (at === null) {
        // no ticket: either fiscal never issued the receipt (then there is nothing to print), or the daemon lost it
        const issued = await call(stack.gatewayUrl, manager, 'query($id: ID!) { order(id: $id) { receipt { number } } }', { id: order.id });
        if (issued.data?.order?.receipt)
          throw new Error(`order ${order.number} has its receipt but no ticket in 15 s; daemon log: ${daemonLog.slice(-5).join('\n')}`);
        console.log(`  order ${order.number}: confirmed and paid, but fiscal issued no receipt in 15 s (not counted)`);
        printer.removeAllListeners('ticket');
        withoutReceipt.push(order.number);
        continue;
      }
      if (i >= WARMUP) {
        toPaper.push(at - answered);
        numbers.push(order.number);
      }
    }

    // every measured sale's ticket, once each
    const all = decodeTickets(printer.received());
    const ticketsOf = (n: string) => all.filter((t) => t.text.includes(`Order${' '.repeat(48 - 5 - n.length)}${n}`)).length;
    const wrong = numbers.filter((n) => ticketsOf(n) !== 1);
    if (wrong.length) throw new Error(`${wrong.length} measured orders without exactly one ticket: ${wrong.slice(0, 5).join(', ')}`);

    const raw = await rawPrinterRoundTrips(SALES);
    const paper = summary(toPaper);
    const pay = summary(payment);
    const printerFloor = summary(raw);
    console.log(
      `  recordPayment answered -> last byte at the printer: p50 ${paper.p50} ms, p95 ${paper.p95} ms, max ${paper.max} ms (goal p95 < 500 ms)`,
    );
    console.log(`  baseline recordPayment latency:                  p50 ${pay.p50} ms, p95 ${pay.p95} ms`);
    console.log(`  baseline raw printer round trip (status, ticket, status): p50 ${printerFloor.p50} ms, p95 ${printerFloor.p95} ms`);
    const ratio = paper.p95 / pay.p95;
    console.log(
      `  ratio p95 sale-to-paper / recordPayment ${ratio.toFixed(2)}; each of the ${numbers.length} measured sales printed once (${all.length} tickets)`,
    );
    if (withoutReceipt.length) console.log(`  ${withoutReceipt.length} sales got no receipt from fiscal (a server-side race; docs/benchmarks.md)`);
    console.log(
      JSON.stringify({
        bench: 'print',
        sales: numbers.length,
        withoutReceipt: withoutReceipt.length,
        saleToPaper: paper,
        recordPayment: pay,
        rawPrinter: printerFloor,
        ratio: +ratio.toFixed(2),
        goalMet: paper.p95 < 500,
      }),
    );
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    await printer.stop();
    rmSync(spool, { recursive: true, force: true });
    await stack.stop();
  }
}

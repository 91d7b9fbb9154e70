/**
 * Complete POS sales (issue 4): `--concurrency` cashiers (default 16) each ring up a sale
 * (placeOrder, two or three lines at the list price) and take cash for it (recordPayment), the
 * next sale as soon as the last is paid, for `--seconds` (default 20). The receipt and its print
 * job follow from the events (order.placed, payment.captured, order.confirmed); a print daemon's
 * subscription (printJobQueued for the store's printer) times each job from the payment's answer
 * to its arrival.
 *
 * Baseline in the same run: the same sales sent straight to the orders and payments subgraphs
 * (signed internal identity), without the gateway; the ratio is what the gateway costs.
 * recordPayment waits for payments to learn the order from its event: an ORDER_NOT_FOUND answer
 * is retried after 5 ms and counted (`paymentRetries`); the latency kept is the answered attempt's.
 */
import { loadKeys, mintToken } from '@comanda/gateway';
import { signIdentity } from '@comanda/kit';
import { createClient } from 'graphql-ws';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';
import { demoTenant } from '../../scripts/demo/data.ts';
import { type StackProcess, startStackProcess } from './stack-process.ts';

const PLACE = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id total { amount } } userErrors { code message } } }`;
const PAY = `mutation RecordPayment($input: RecordPaymentInput!) { recordPayment(input: $input) { payment { id state } userErrors { code message } } }`;
const PRINT_JOBS = `subscription PrintJobs($printerId: ID!) { printJobQueued(printerId: $printerId) { id status copy receipt { order { id } } } }`;

const store = demoTenant.stores[0]!;
const variants = demoTenant.products.flatMap((p) => p.variants);
const runId = Date.now().toString(36);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Target {
  label: string;
  ordersUrl: string;
  paymentsUrl: string;
  /** per cashier: the headers that authenticate it */
  headers: Record<string, string>[];
}

interface Stats {
  p50: number;
  p95: number;
}

export interface RoundResult {
  sales: number;
  salesPerSecond: number;
  placeOrder: Stats;
  recordPayment: Stats;
  paymentToPrintJob: Stats & { seen: number };
  paymentRetries: number;
  errors: number;
}

const stats = (values: number[]): Stats => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: +percentile(sorted, 50).toFixed(1), p95: +percentile(sorted, 95).toFixed(1) };
};

async function post(agent: Agent, url: string, headers: Record<string, string>, query: string, variables: object): Promise<any> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.body.json()) as { data?: any; errors?: unknown[] };
  if (res.statusCode !== 200 || body.errors) throw new Error(`HTTP ${res.statusCode}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** One cashier's sale: two or three articles at the shelf price, paid in cash. */
function saleLines(n: number) {
  const count = 2 + (n % 2);
  return Array.from({ length: count }, (_, k) => {
    const variant = variants[(n * 7 + k * 13) % variants.length]!;
    return { variantId: variant.id, quantity: String(1 + ((n + k) % 2)), unitPrice: variant.price };
  });
}

async function round(target: Target, seconds: number, printJobs: Map<string, number>): Promise<RoundResult> {
  const agent = new Agent({ connections: target.headers.length * 2, keepAliveTimeout: 30_000 });
  const placeLatencies: number[] = [];
  const payLatencies: number[] = [];
  const paidAt = new Map<string, number>();
  let retries = 0;
  let errors = 0;
  let sales = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    target.headers.map(async (headers, cashier) => {
      for (let n = 0; performance.now() < deadline; n++) {
        try {
          let t0 = performance.now();
          const placed = await post(agent, target.ordersUrl, headers, PLACE, {
            input: {
              storeId: store.id,
              clientOrderId: `bench-${target.label}-${runId}-${cashier}-${n}`,
              channel: 'POS',
              lines: saleLines(cashier * 1000 + n),
            },
          });
          placeLatencies.push(performance.now() - t0);
          const order = placed.placeOrder.order;
          if (!order) throw new Error(JSON.stringify(placed.placeOrder.userErrors));
          const input = {
            orderId: order.id,
            idempotencyKey: `bench-pay-${order.id}`,
            method: 'CASH',
            amount: order.total.amount,
            tendered: order.total.amount,
          };
          for (;;) {
            t0 = performance.now();
            const paid = await post(agent, target.paymentsUrl, headers, PAY, { input });
            const answered = performance.now();
            const problem = paid.recordPayment.userErrors[0]?.code;
            if (problem === 'ORDER_NOT_FOUND') {
              retries++;
              await sleep(5);
              continue;
            }
            if (problem) throw new Error(JSON.stringify(paid.recordPayment.userErrors));
            payLatencies.push(answered - t0);
            paidAt.set(order.id, answered);
            break;
          }
          sales++;
        } catch (error) {
          errors++;
          if (errors <= 3) console.error(`  ${target.label} sale failed: ${(error as Error).message}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await agent.close();
  // the last receipts are on their way: wait for them, or 10 s
  const waitUntil = performance.now() + 10_000;
  while ([...paidAt.keys()].some((id) => !printJobs.has(id)) && performance.now() < waitUntil) await sleep(100);
  const toPrint = [...paidAt.entries()].flatMap(([id, at]) => (printJobs.has(id) ? [printJobs.get(id)! - at] : []));
  return {
    sales,
    salesPerSecond: +(sales / elapsed).toFixed(1),
    placeOrder: stats(placeLatencies),
    recordPayment: stats(payLatencies),
    paymentToPrintJob: { ...stats(toPrint), seen: toPrint.length },
    paymentRetries: retries,
    errors,
  };
}

const show = (label: string, r: RoundResult) =>
  `  ${label}: ${r.sales} sales, ${r.salesPerSecond} sales/s; placeOrder p50 ${r.placeOrder.p50} ms p95 ${r.placeOrder.p95} ms; ` +
  `recordPayment p50 ${r.recordPayment.p50} ms p95 ${r.recordPayment.p95} ms (${r.paymentRetries} early tries); ` +
  `payment -> print job QUEUED p50 ${r.paymentToPrintJob.p50} ms p95 ${r.paymentToPrintJob.p95} ms (${r.paymentToPrintJob.seen}/${r.sales} seen); errors ${r.errors}`;

async function printDaemon(stack: StackProcess, token: string, arrivals: Map<string, number>) {
  const client = createClient({
    url: stack.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
  let ready = false;
  client.on('connected', () => {
    ready = true;
  });
  client.subscribe(
    { query: PRINT_JOBS, variables: { printerId: store.printerId } },
    {
      next: (result) => {
        const job = (result.data as { printJobQueued?: { copy: boolean; receipt: { order: { id: string } } | null } } | undefined)?.printJobQueued;
        const orderId = job?.receipt?.order.id;
        if (orderId && !job.copy && !arrivals.has(orderId)) arrivals.set(orderId, performance.now());
      },
      error: (error) => console.error('  print job subscription failed', error),
      complete: () => {},
    },
  );
  const deadline = Date.now() + 30_000;
  while (!ready && Date.now() < deadline) await sleep(50);
  await sleep(1000); // the upstream stream reaches fiscal a moment after the gateway accepted it
  return client;
}

export async function run({ seconds, concurrency }: { seconds: number; concurrency: number }): Promise<void> {
  // 16 cashiers unless told otherwise (the runner's default of 32 is for read benchmarks)
  const cashiers = process.argv.includes('--concurrency') ? concurrency : 16;
  const stack = await startStackProcess('comanda_bench_checkout', { separateGateway: true });
  try {
    const keys = await loadKeys();
    const ttl = 3600;
    const users = Array.from({ length: cashiers }, (_, i) => `cashier-${i + 1}@demo`);
    const tokens = await Promise.all(
      users.map((user) => mintToken({ tenant: demoTenant.tenantId, role: 'cashier', user, stores: [store.id], ttl }, keys.privateKey!)),
    );
    const identities = await Promise.all(
      users.map((userId) =>
        signIdentity({ tenantId: demoTenant.tenantId, userId, roles: ['cashier'], storeIds: [store.id], printerId: null }, keys.internalSecret, ttl),
      ),
    );
    const device = await mintToken(
      { tenant: demoTenant.tenantId, role: 'device', stores: [store.id], printer: store.printerId, ttl },
      keys.privateKey!,
    );
    const arrivals = new Map<string, number>();
    const daemon = await printDaemon(stack, device, arrivals);

    console.log(
      `checkout: ${cashiers} cashiers at ${store.name}, ${seconds} s per round; cash sales of 2-3 lines; receipts printed through the event flow`,
    );
    const baseline = await round(
      {
        label: 'direct',
        ordersUrl: stack.subgraphUrls.orders!,
        paymentsUrl: stack.subgraphUrls.payments!,
        headers: identities.map((identity) => ({ 'x-comanda-identity': identity })),
      },
      seconds,
      arrivals,
    );
    console.log(show('baseline (orders and payments subgraphs directly)', baseline));
    const gateway = await round(
      {
        label: 'gateway',
        ordersUrl: stack.gatewayUrl,
        paymentsUrl: stack.gatewayUrl,
        headers: tokens.map((token) => ({ authorization: `Bearer ${token}` })),
      },
      seconds,
      arrivals,
    );
    console.log(show('gateway  (the POS path)', gateway));
    await daemon.dispose();
    const ratio = gateway.salesPerSecond / Math.max(0.1, baseline.salesPerSecond);
    console.log(`  gateway/baseline sales ratio ${ratio.toFixed(3)}; goal >= 150 sales/s with placeOrder p95 < 50 ms`);
    console.log(JSON.stringify({ bench: 'checkout', cashiers, seconds, gateway, baseline, ratio: +ratio.toFixed(3) }));
  } finally {
    await stack.stop();
  }
}

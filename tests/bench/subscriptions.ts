/**
 * Live fan-out at scale (issue 5): K WebSocket connections (default 5,000; `--connections 10000`)
 * spread evenly over 100 stores, each holding OrderBoard for its store, while orders are placed
 * at a steady rate (`--rate`, default 50/s, open loop) round the stores. Every PLACED change must
 * reach every subscriber of its store. Latency is event-to-client: from the placeOrder answer (the
 * commit) to the arrival at each subscriber. The gateway runs in its own process, so its resident
 * memory is the gateway's alone. Baseline in the same run: one connection per store, same rate.
 */
import { parseArgs } from 'node:util';
import { loadKeys, mintToken } from '@comanda/gateway';
import { type Client, createClient } from 'graphql-ws';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';
import { demoTenant } from '../../scripts/demo/data.ts';
import { type StackProcess, startStackProcess } from './stack-process.ts';

const STORES = 100;
/** keeps each round's clientOrderIds new: a repeated one would be a replay, with no new event */
const runId = Date.now().toString(36);
let rounds = 0;

const ORDER_BOARD = `subscription OrderBoard($storeId: ID!) {
  orderChanged(storeId: $storeId) {
    type at
    order { id number status total { amount currencyCode } customer { name } paymentStatus amountPaid { amount } fulfillmentStatus receipt { number } }
  }
}`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function metric(url: string, name: string): Promise<number> {
  const page = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const line = page.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function until(what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

interface Round {
  connections: number;
  orders: number;
  expected: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
  rssMb: number;
  placeErrors: number;
}

async function round(stack: StackProcess, token: string, connections: number, rate: number, seconds: number): Promise<Round> {
  const stores = stack.storeIds.slice(0, STORES);
  const roundId = `${runId}-${++rounds}`;
  /** per order id: when its placeOrder answered, and the latencies of its deliveries */
  const orders = new Map<string, { store: string; answered: number; latencies: number[] }>();
  const early = new Map<string, number[]>();
  const subscribersOf = new Map<string, number>();
  const clients: Client[] = [];

  const connect = (storeId: string) => {
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
    });
    client.subscribe(
      { query: ORDER_BOARD, variables: { storeId } },
      {
        next: (result) => {
          const at = performance.now();
          const change = (result.data as { orderChanged?: { type: string; order: { id: string } } } | undefined)?.orderChanged;
          if (change?.type !== 'PLACED') return;
          const order = orders.get(change.order.id);
          if (order) order.latencies.push(at - order.answered);
          else early.set(change.order.id, [...(early.get(change.order.id) ?? []), at]);
        },
        error: () => {},
        complete: () => {},
      },
    );
    clients.push(client);
    subscribersOf.set(storeId, (subscribersOf.get(storeId) ?? 0) + 1);
  };
  for (let i = 0; i < connections; i++) {
    connect(stores[i % stores.length]!);
    // open in waves so the handshakes do not all queue at once
    if (i % 250 === 249) await until('handshakes', async () => (await metric(stack.gatewayUrl, 'graphql_subscriptions')) >= i - 500);
  }
  await until(`${connections} subscriptions`, async () => (await metric(stack.gatewayUrl, 'graphql_subscriptions')) >= connections);
  await sleep(2000); // the upstream streams reach the subgraph a moment after the gateway accepted them
  const rssConnected = stack.gatewayRss();

  const agent = new Agent({ connections: 64 });
  const variant = demoTenant.products[0]!.variants[0]!;
  let placeErrors = 0;
  const placing: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const store = stores[i % stores.length]!;
    placing.push(
      (async () => {
        try {
          const res = await request(stack.gatewayUrl, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({
              query: PLACE,
              variables: {
                input: {
                  storeId: store,
                  clientOrderId: `bench-live-${roundId}-${i}`,
                  channel: 'POS',
                  lines: [{ variantId: variant.id, quantity: '1' }],
                },
              },
            }),
          });
          const id = ((await res.body.json()) as { data?: { placeOrder?: { order?: { id: string } } } }).data?.placeOrder?.order?.id;
          if (!id) throw new Error('placeOrder failed');
          const answered = performance.now();
          const arrivedEarly = early.get(id) ?? [];
          early.delete(id);
          orders.set(id, { store, answered, latencies: arrivedEarly.map((at) => at - answered) });
        } catch {
          placeErrors++;
        }
      })(),
    );
  }
  await Promise.all(placing);
  // let the last events arrive: everything expected, or 10 s
  const expected = () => [...orders.values()].reduce((sum, o) => sum + (subscribersOf.get(o.store) ?? 0), 0);
  const delivered = () => [...orders.values()].reduce((sum, o) => sum + o.latencies.length, 0);
  await until('the last deliveries', async () => delivered() >= expected(), 10_000).catch(() => {});
  const rssEnd = stack.gatewayRss();

  await Promise.all(clients.map((c) => c.dispose()));
  await agent.close();
  await until('connections to close', async () => (await metric(stack.gatewayUrl, 'graphql_subscriptions')) === 0).catch(() => {});

  const latencies = [...orders.values()].flatMap((o) => o.latencies).sort((a, b) => a - b);
  return {
    connections,
    orders: orders.size,
    expected: expected(),
    delivered: delivered(),
    p50: +percentile(latencies, 50).toFixed(1),
    p99: +percentile(latencies, 99).toFixed(1),
    max: +(latencies.at(-1) ?? 0).toFixed(1),
    rssMb: mb(Math.max(rssConnected, rssEnd)),
    placeErrors,
  };
}

const show = (label: string, r: Round) =>
  `  ${label}: ${r.connections} connections, ${r.orders} orders, delivered ${r.delivered}/${r.expected}, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, gateway RSS ${r.rssMb} MB${r.placeErrors ? `, ${r.placeErrors} placeOrder errors` : ''}`;

export async function run({ seconds }: { seconds: number; concurrency: number }): Promise<void> {
  const { values } = parseArgs({ strict: false, options: { connections: { type: 'string' }, rate: { type: 'string' } } });
  const connections = Number(values.connections ?? 5000);
  const rate = Number(values.rate ?? 50);
  const stack = await startStackProcess('comanda_bench_subscriptions', { stores: STORES, separateGateway: true });
  try {
    const keys = await loadKeys();
    const token = await mintToken({ tenant: demoTenant.tenantId, role: 'manager', ttl: 3600 }, keys.privateKey!);
    console.log(
      `subscriptions: OrderBoard over ${STORES} stores, ${rate} orders/s for ${seconds} s; baseline 1 connection per store, then ${connections}`,
    );
    const idleRss = mb(stack.gatewayRss());
    const baseline = await round(stack, token, STORES, rate, seconds);
    console.log(show('baseline', baseline));
    const scaled = await round(stack, token, connections, rate, seconds);
    console.log(show('scaled  ', scaled));
    const ratio = scaled.p99 / Math.max(1, baseline.p99);
    console.log(
      `  gateway RSS idle ${idleRss} MB; scaled/baseline p99 ratio ${ratio.toFixed(2)}; goals: 10,000 connections < 1,500 MB, p99 < 300 ms at 50 orders/s, nothing lost`,
    );
    console.log(
      JSON.stringify({ bench: 'subscriptions', stores: STORES, rate, seconds, idleRssMb: idleRss, baseline, scaled, p99Ratio: +ratio.toFixed(3) }),
    );
  } finally {
    await stack.stop();
  }
}

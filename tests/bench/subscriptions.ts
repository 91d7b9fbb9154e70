/**
 * Live fan-out: from a placed order (the mutation's answer) to its PLACED event at every
 * subscriber of the store's OrderBoard, with `concurrency x 30` WebSocket connections, against
 * one connection as the baseline, both measured in this run. Identical subscriptions share one
 * stream from the orders subgraph and one execution of `rest` per event, so the ratio shows
 * what fanning out to many sockets costs. Orders are placed one at a time, so each sample is
 * one event's way through the whole pipeline (outbox, relay, log, live feed, gateway).
 */
import { loadKeys, mintToken } from '@comanda/gateway';
import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { demoTenant } from '../../scripts/demo/data.ts';
import { type StackProcess, startStackProcess } from './stack-process.ts';

const ORDER_BOARD = `subscription OrderBoard($storeId: ID!) {
  orderChanged(storeId: $storeId) {
    type at
    order { id number status total { amount currencyCode } customer { name } paymentStatus amountPaid { amount } fulfillmentStatus receipt { number } }
  }
}`;

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }`;

interface Sample {
  first: number;
  last: number;
  missing: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metric(url: string, name: string): Promise<number> {
  const page = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const line = page.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function measure(stack: StackProcess, token: string, connections: number, seconds: number) {
  const store = demoTenant.stores[0]!;
  const variant = demoTenant.products[0]!.variants[0]!;
  const arrivals = new Map<string, number[]>();
  const clients: Client[] = [];
  for (let i = 0; i < connections; i++) {
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    client.subscribe(
      { query: ORDER_BOARD, variables: { storeId: store.id } },
      {
        next: (result) => {
          const change = (result.data as { orderChanged?: { type: string; order: { id: string } } } | undefined)?.orderChanged;
          if (change?.type === 'PLACED') arrivals.get(change.order.id)?.push(performance.now());
        },
        error: () => {},
        complete: () => {},
      },
    );
    clients.push(client);
  }
  const ready = Date.now() + 60_000;
  while ((await metric(stack.gatewayUrl, 'graphql_subscriptions')) < connections) {
    if (Date.now() > ready) throw new Error(`only ${await metric(stack.gatewayUrl, 'graphql_subscriptions')} of ${connections} subscribed`);
    await sleep(200);
  }
  // the upstream stream reaches the subgraph a moment after the gateway accepted the subscriptions
  await sleep(1000);

  const samples: Sample[] = [];
  const deadline = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < deadline; i++) {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: PLACE,
        variables: {
          input: {
            storeId: store.id,
            clientOrderId: `bench-live-${Date.now()}-${i}`,
            channel: 'POS',
            lines: [{ variantId: variant.id, quantity: '1' }],
          },
        },
      }),
    });
    const id = ((await res.json()) as { data?: { placeOrder?: { order?: { id: string } } } }).data?.placeOrder?.order?.id;
    if (!id) throw new Error('placeOrder failed');
    const answered = performance.now();
    const seen: number[] = [];
    arrivals.set(id, seen);
    const timeout = answered + 10_000;
    while (seen.length < connections && performance.now() < timeout) await sleep(2);
    arrivals.delete(id);
    if (seen.length) samples.push({ first: Math.min(...seen) - answered, last: Math.max(...seen) - answered, missing: connections - seen.length });
  }
  await Promise.all(clients.map((c) => c.dispose()));
  const first = samples.map((s) => s.first).sort((a, b) => a - b);
  const last = samples.map((s) => s.last).sort((a, b) => a - b);
  return {
    connections,
    events: samples.length,
    missing: samples.reduce((sum, s) => sum + s.missing, 0),
    firstP50: +percentile(first, 50).toFixed(1),
    lastP50: +percentile(last, 50).toFixed(1),
    lastP95: +percentile(last, 95).toFixed(1),
  };
}

export async function run({ seconds, concurrency }: { seconds: number; concurrency: number }): Promise<void> {
  const stack = await startStackProcess('comanda_bench_subscriptions');
  try {
    const keys = await loadKeys();
    const token = await mintToken({ tenant: demoTenant.tenantId, role: 'manager' }, keys.privateKey!);
    const connections = concurrency * 30;
    console.log(`subscriptions: OrderBoard, 1 connection then ${connections}, ${seconds} s each, one order at a time`);
    const baseline = await measure(stack, token, 1, seconds);
    console.log(`  baseline (1 connection):  ${baseline.events} events, p50 ${baseline.lastP50} ms, p95 ${baseline.lastP95} ms`);
    const fanout = await measure(stack, token, connections, seconds);
    console.log(
      `  fan-out (${connections} connections): ${fanout.events} events, first p50 ${fanout.firstP50} ms, last p50 ${fanout.lastP50} ms, p95 ${fanout.lastP95} ms, missing ${fanout.missing}`,
    );
    const ratio = fanout.lastP95 / Math.max(1, baseline.lastP95);
    console.log(`  fan-out/baseline p95 ratio ${ratio.toFixed(3)}`);
    console.log(JSON.stringify({ bench: 'subscriptions', seconds, baseline, fanout, ratio: +ratio.toFixed(3) }));
  } finally {
    await stack.stop();
  }
}

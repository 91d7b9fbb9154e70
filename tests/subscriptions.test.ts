/**
 * Subscriptions through a real gateway, real subgraphs and a real graphql-ws client
 * (docs/subscriptions.md). The first half uses the stack's gateway; the second starts a gateway
 * of its own in this process (to measure its memory, restart a subgraph under it, change its
 * supergraph and drain it), beside an orders instance of its own.
 */
import { readFileSync } from 'node:fs';
import { type GatewayRuntime, loadKeys, SUPERGRAPH_PATH, startGateway } from '@comanda/gateway';
import { EmbeddedTransport } from '@comanda/kafka';
import { appDatabaseUrl, type SubgraphRuntime, startSubgraph } from '@comanda/kit';
import { orders } from '@comanda/orders';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { adminQuery, databaseUrl, demo, eventually, gatewayUrl, gql, other, tokenFor } from './support/client.ts';
import { pay, placePosOrder, RECORD_PAYMENT } from './support/flows.ts';

const ORDER_BOARD = `subscription OrderBoard($storeId: ID!) {
  orderChanged(storeId: $storeId) {
    type at
    order {
      id number status total { amount currencyCode }
      customer { name }
      paymentStatus amountPaid { amount }
      fulfillmentStatus
      receipt { number }
    }
  }
}`;

const PRINT_QUEUE = `subscription PrintQueue($printerId: ID!) {
  printJobQueued(printerId: $printerId) {
    id status copy attempts createdAt
    receipt {
      id number issuedAt
      store { name }
      total { amount currencyCode }
      vatBreakdown { rate taxableAmount { amount } taxAmount { amount } }
      order { number lines { quantity variant { name sku } unitPrice { amount } total { amount } } payments { method amount { amount } change { amount } } }
    }
  }
}`;

const LIVE_DASHBOARD = `subscription LiveDashboard($storeId: ID!) {
  storeMetricsChanged(storeId: $storeId) {
    storeId ordersToday salesToday { amount currencyCode } openOrders
    collectedToday { amount } receiptsToday overdueInvoices shipmentsInTransit creditExposure { amount }
  }
}`;

const STORE_DASHBOARD = `query StoreDashboard($storeId: ID!) {
  storeMetrics(storeId: $storeId) {
    storeId ordersToday salesToday { amount currencyCode } openOrders
    collectedToday { amount } receiptsToday overdueInvoices shipmentsInTransit creditExposure { amount }
  }
}`;

interface Result {
  data?: any;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { live?: { dropped?: number; gap?: boolean } };
}

/** One subscription's results as they arrive, and how it ended. */
class Recorder {
  readonly results: Result[] = [];
  error: unknown = null;
  completed = false;
  dispose: () => void = () => {};

  /** the first result (from index `from`) that matches */
  async waitFor(match: (result: Result) => boolean, timeoutMs = 20_000, from = 0): Promise<Result> {
    return eventually(async () => this.results.slice(from).find(match) ?? (this.error ? Promise.reject(this.error) : null), timeoutMs);
  }

  async ended(timeoutMs = 15_000): Promise<void> {
    await eventually(async () => this.completed || this.error !== null, timeoutMs);
  }
}

const clients: Client[] = [];

/** A graphql-ws client that does not retry, so how the gateway closes shows. */
function connect(token: string | null, url = gatewayUrl()): Client {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

function subscribe(client: Client, query: string, variables: Record<string, unknown>): Recorder {
  const recorder = new Recorder();
  recorder.dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => recorder.results.push(result as Result),
      error: (error) => {
        recorder.error = error;
      },
      complete: () => {
        recorder.completed = true;
      },
    },
  );
  return recorder;
}

const closeCodeOf = (error: unknown) => (error as { code?: number } | null)?.code;

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

/** A sample's value in a Prometheus text page (the sum over every series that matches). */
async function metric(graphqlUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const page = await (await fetch(metricsUrl(graphqlUrl))).text();
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Subscriptions reach a subgraph asynchronously: wait until its hub serves them. */
async function liveAt(subgraphUrl: string, field: string, atLeast = 1): Promise<void> {
  await eventually(async () => (await metric(subgraphUrl, 'live_subscribers', { field })) >= atLeast, 15_000);
}

const subgraphUrl = (name: string) => inject('subgraphUrls')[name]!;
/** the subgraphs serving subscriptions in this file */
const liveSubgraphs = [subgraphUrl('orders'), subgraphUrl('fiscal')];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
  // the next test counts from zero
  await eventually(async () => {
    for (const url of liveSubgraphs) if ((await metric(url, 'live_subscribers')) > 0) return false;
    return true;
  }, 15_000);
});

describe('the subscription operations through the gateway', () => {
  it('OrderBoard sees a sale placed, paid and confirmed, with fields of four subgraphs, and its receipt once issued', async () => {
    const store = demo.stores[0]!;
    const customer = demo.customers.find((c) => c.kind === 'PERSON')!;
    const board = subscribe(connect(await tokenFor({ role: 'manager' })), ORDER_BOARD, { storeId: store.id });
    await liveAt(subgraphUrl('orders'), 'orderChanged');

    const order = await placePosOrder({ customerId: customer.id });
    await pay(order.id, order.total.amount, 'CASH', '1000.00');
    const mine = (r: Result) => r.data?.orderChanged?.order?.id === order.id;
    const ofType = (type: string) => (r: Result) => mine(r) && r.data.orderChanged.type === type;
    // the receipt's own event: a PAYMENT_CHANGED after the confirmation that caused it
    const confirmedAt = board.results.indexOf(await board.waitFor(ofType('STATUS_CHANGED')));
    const issuedEvent = await board.waitFor(ofType('PAYMENT_CHANGED'), 20_000, confirmedAt + 1);

    const changes = board.results.filter(mine);
    const types = changes.map((r) => r.data.orderChanged.type);
    const placed = types.indexOf('PLACED');
    const paid = types.indexOf('PAYMENT_CHANGED');
    const confirmed = types.indexOf('STATUS_CHANGED');
    expect(placed).toBe(0);
    expect(paid).toBeGreaterThan(placed);
    expect(confirmed).toBeGreaterThan(paid);
    for (const change of changes) {
      expect(change.errors).toBeUndefined();
      const { order: seen, at } = change.data.orderChanged;
      expect(Date.parse(at)).not.toBeNaN();
      expect(seen).toMatchObject({ id: order.id, number: order.number, total: order.total, customer: { name: customer.name } });
      expect(['UNPAID', 'PAID']).toContain(seen.paymentStatus);
      expect(seen.fulfillmentStatus).toBeTruthy();
    }
    expect(changes[placed]!.data.orderChanged.order).toMatchObject({ status: 'PENDING', receipt: null });
    expect(changes[paid]!.data.orderChanged.order).toMatchObject({ paymentStatus: 'PAID', amountPaid: { amount: order.total.amount } });
    expect(changes[confirmed]!.data.orderChanged.order.status).toBe('CONFIRMED');
    // once issued the receipt is there (an earlier event may show it too, if its rest ran after the issue)
    const issued = await gql('query($id: ID!) { order(id: $id) { receipt { number } } }', { id: order.id });
    expect(issued.data.order.receipt.number).toBeTruthy();
    expect(issuedEvent.data.orderChanged.order.receipt).toEqual(issued.data.order.receipt);
  });

  it('PrintQueue delivers a sale ticket to its printer with the receipt, store, lines and payments from three subgraphs', async () => {
    const store = demo.stores[0]!;
    const device = await tokenFor({ role: 'device', printer: store.printerId });
    const queue = subscribe(connect(device), PRINT_QUEUE, { printerId: store.printerId });
    await liveAt(subgraphUrl('fiscal'), 'printJobQueued');

    const order = await placePosOrder();
    await pay(order.id, order.total.amount, 'CASH', '1000.00');
    const job = await queue.waitFor((r) => r.data?.printJobQueued?.receipt?.order?.number === order.number);
    expect(job.errors).toBeUndefined();
    expect(job.data.printJobQueued).toMatchObject({
      status: 'QUEUED',
      copy: false,
      attempts: 0,
      receipt: { store: { name: store.name }, total: order.total, order: { payments: [{ method: 'CASH', amount: { amount: order.total.amount } }] } },
    });
    expect(job.data.printJobQueued.receipt.order.lines.length).toBeGreaterThan(0);
  });

  it('LiveDashboard settles on the values StoreDashboard answers after a burst of sales', async () => {
    const store = other.stores[0]!;
    const token = await tokenFor({ role: 'owner', tenant: other.tenantId });
    const before = (await gql(STORE_DASHBOARD, { storeId: store.id }, { token })).data.storeMetrics;
    const dashboard = subscribe(connect(token), LIVE_DASHBOARD, { storeId: store.id });
    await liveAt(subgraphUrl('orders'), 'storeMetricsChanged');

    const variant = other.products[0]!.variants[0]!;
    const sales = [];
    for (let i = 0; i < 6; i++) sales.push(await placePosOrder({ token, storeId: store.id, lines: [{ variantId: variant.id, quantity: '1' }] }));
    // payments learns an order from its placed event: retry while it does not know it yet
    const payAsAcme = (orderId: string, amount: string) =>
      eventually(async () => {
        const res = await gql(RECORD_PAYMENT, { input: { orderId, idempotencyKey: crypto.randomUUID(), method: 'CARD', amount } }, { token });
        return res.data?.recordPayment?.payment ?? null;
      });
    await Promise.all(sales.slice(0, 3).map((sale) => payAsAcme(sale.id, sale.total.amount)));

    const last = () => dashboard.results.at(-1)?.data?.storeMetricsChanged;
    const settled = await eventually(async () => {
      const now = (await gql(STORE_DASHBOARD, { storeId: store.id }, { token })).data.storeMetrics;
      return JSON.stringify(last()) === JSON.stringify(now) && now.receiptsToday >= before.receiptsToday + 3 ? now : null;
    }, 30_000);
    expect(settled.ordersToday).toBeGreaterThanOrEqual(before.ordersToday + 6);
    expect(dashboard.results.every((r) => r.errors === undefined)).toBe(true);
    // coalesced: a burst of some 30 events of the store arrives as a few values
    expect(dashboard.results.length).toBeLessThan(20);
  });
});

describe('who may subscribe', () => {
  it('closes a connection without a token (4401) or with a refused one (4403)', async () => {
    const none = subscribe(connect(null), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    const expired = subscribe(connect(await tokenFor({ role: 'manager', ttl: -5 })), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    const forged = subscribe(connect('not.a.token'), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    for (const recorder of [none, expired, forged]) await recorder.ended();
    expect([none, expired, forged].map((r) => closeCodeOf(r.error))).toEqual([4401, 4403, 4403]);
    expect([none, expired, forged].flatMap((r) => r.results)).toEqual([]);
  });

  it("refuses another tenant's store, a store outside the token and another store's printer", async () => {
    const refused = async (token: string, query: string, variables: Record<string, unknown>) => {
      const recorder = subscribe(connect(token), query, variables);
      await recorder.ended();
      return recorder;
    };
    const cases = [
      await refused(await tokenFor({ role: 'manager' }), ORDER_BOARD, { storeId: other.stores[0]!.id }),
      await refused(await tokenFor({ role: 'cashier', store: demo.stores[1]!.id }), LIVE_DASHBOARD, { storeId: demo.stores[0]!.id }),
      await refused(await tokenFor({ role: 'device', printer: demo.stores[0]!.printerId }), PRINT_QUEUE, { printerId: demo.stores[1]!.printerId }),
      await refused(await tokenFor({ role: 'manager', tenant: other.tenantId }), PRINT_QUEUE, { printerId: demo.stores[0]!.printerId }),
    ];
    for (const recorder of cases) {
      expect(recorder.results).toHaveLength(1);
      expect(recorder.results[0]!.data ?? null).toBeNull();
      expect(recorder.results[0]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('delivers nothing of a store to a token scoped to another one', async () => {
    const [bucharest, cluj] = demo.stores;
    const scoped = subscribe(connect(await tokenFor({ role: 'manager', store: cluj!.id })), ORDER_BOARD, { storeId: cluj!.id });
    const watcher = subscribe(connect(await tokenFor({ role: 'manager' })), ORDER_BOARD, { storeId: bucharest!.id });
    await liveAt(subgraphUrl('orders'), 'orderChanged', 2);
    const order = await placePosOrder({ storeId: bucharest!.id });
    await watcher.waitFor((r) => r.data?.orderChanged?.order?.id === order.id);
    expect(scoped.results.filter((r) => r.data?.orderChanged?.order?.id === order.id)).toEqual([]);
  });

  it('refuses queries over WebSocket, invalid operations and a subscription too many', async () => {
    const client = connect(await tokenFor({ role: 'manager' }));
    const query = subscribe(client, '{ stores { id } }', {});
    const invalid = subscribe(client, 'subscription { orderChanged(storeId: 1) { nope } }', {});
    const missing = subscribe(client, ORDER_BOARD, {});
    for (const recorder of [query, invalid, missing]) await recorder.ended();
    expect((query.error as Result['errors'])?.[0]?.extensions?.code).toBe('OPERATION_NOT_SUPPORTED');
    expect((invalid.error as Result['errors'])?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((missing.error as Result['errors'])?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const held = Array.from({ length: 25 }, () => subscribe(client, ORDER_BOARD, { storeId: demo.stores[0]!.id }));
    const tooMany = subscribe(client, ORDER_BOARD, { storeId: demo.stores[0]!.id });
    await tooMany.ended();
    expect((tooMany.error as Result['errors'])?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'connection' });
    // 25 identical subscriptions are one stream from the subgraph
    await liveAt(subgraphUrl('orders'), 'orderChanged');
    expect(await metric(subgraphUrl('orders'), 'live_subscribers', { field: 'orderChanged' })).toBe(1);
    expect(held.every((r) => r.error === null && !r.completed)).toBe(true);
  });

  it('answers a subscription sent over HTTP with where to send it, not a 500', async () => {
    const res = await gql('subscription($s: ID!) { orderChanged(storeId: $s) { type } }', { s: demo.stores[0]!.id });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'SUBSCRIPTION_OVER_HTTP' });
  });

  it('ends the connection when its token expires (4403)', async () => {
    const board = subscribe(connect(await tokenFor({ role: 'manager', ttl: 3 })), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    await liveAt(subgraphUrl('orders'), 'orderChanged');
    await board.ended(10_000);
    expect(closeCodeOf(board.error)).toBe(4403);
  });
});

/** A raw graphql-ws connection whose client stops reading right after subscribing. */
async function stalledSubscriber(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: { type: string; payload?: Result }[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await eventually(async () => messages.some((m) => m.type === 'connection_ack'));
  socket.send(JSON.stringify({ id: 'stalled', type: 'subscribe', payload: { query, variables } }));
  socket.pause();
  return { socket, messages };
}

/** `count` print_job.queued events for one printer, straight into the embedded log; the last has job id `lastId`. */
async function queuePrintJobEvents(printerId: string, storeId: string, count: number, lastId: string): Promise<void> {
  await adminQuery(
    `insert into events.log (topic, key, value, headers)
     select 'comanda.fiscal.print_job.v1', job.id::text,
            json_build_object('specversion', '1.0', 'id', gen_random_uuid(), 'source', 'fiscal', 'type', 'comanda.fiscal.print_job.queued.v1',
              'subject', job.id, 'time', clock_timestamp(), 'tenantid', $1::text, 'storeid', $2::text, 'sequence', 1, 'traceparent', null,
              'datacontenttype', 'application/json',
              'data', json_build_object('printJobId', job.id, 'printerId', $3::text, 'receiptId', gen_random_uuid(), 'storeId', $2::text, 'copy', false))::text,
            '{}'::jsonb
       from (select n, case when n = $5 then $4::uuid else gen_random_uuid() end as id from generate_series(1, $5::int) n) job
      order by job.n`,
    [demo.tenantId, storeId, printerId, lastId, count],
  );
}

describe('a gateway of its own, beside an orders instance of its own', () => {
  let gateway: GatewayRuntime;
  let ordersB: SubgraphRuntime;
  let transport: EmbeddedTransport;
  let stopped = false;
  const startOrders = async (port = 0) =>
    startSubgraph(
      // serving subscriptions only: the stack's orders instance does the reactions
      { ...orders, consumes: undefined },
      { databaseUrl: databaseUrl(), identitySecret: (await loadKeys(inject('keysDir'))).internalSecret, port, migrated: true, transport },
    );

  beforeAll(async () => {
    transport = new EmbeddedTransport({ databaseUrl: appDatabaseUrl(databaseUrl(), 'relay') });
    ordersB = await startOrders();
    liveSubgraphs.push(ordersB.url);
    gateway = await startGateway({
      port: 0,
      keys: await loadKeys(inject('keysDir')),
      subgraphUrls: { ...inject('subgraphUrls'), orders: ordersB.url },
      live: { bufferSize: 16, keepAliveMs: 120_000 },
    });
  });

  afterAll(async () => {
    if (!stopped) await gateway.stop();
    await ordersB.stop();
    await transport.close();
  });

  it('a subscriber that never reads costs a bounded buffer while 10,000 events pass, and hears what it lost', async () => {
    // a printer of its own, so that no other test's tickets mix in
    const store = demo.stores[1]!;
    const printerId = crypto.randomUUID();
    await adminQuery("insert into fiscal.printer (id, tenant_id, store_id, name) values ($1, $2, $3, 'live test printer')", [
      printerId,
      demo.tenantId,
      store.id,
    ]);
    const device = await tokenFor({ role: 'device', printer: printerId });
    const reader = subscribe(connect(device, gateway.url), 'subscription($p: ID!) { printJobQueued(printerId: $p) { id } }', { p: printerId });
    // about 10 kB a message: the socket's kernel buffers fill after a few thousand, then the gateway's queue
    const fat = `subscription($p: ID!) { printJobQueued(printerId: $p) { ${Array.from({ length: 200 }, (_, i) => `i${i}: id`).join(' ')} createdAt } }`;
    const stalled = await stalledSubscriber(gateway.url, device, fat, { p: printerId });
    await liveAt(subgraphUrl('fiscal'), 'printJobQueued', 2);

    const count = 10_000;
    const lastId = crypto.randomUUID();
    const heapBefore = process.memoryUsage().heapUsed;
    const peak = { buffered: 0, sendBuffer: 0, heap: heapBefore };
    let passing = true;
    const sampling = (async () => {
      while (passing) {
        peak.buffered = Math.max(peak.buffered, await metric(gateway.url, 'graphql_subscription_buffered_events'));
        peak.sendBuffer = Math.max(peak.sendBuffer, await metric(gateway.url, 'graphql_ws_send_buffer_bytes'));
        peak.heap = Math.max(peak.heap, process.memoryUsage().heapUsed);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await queuePrintJobEvents(printerId, store.id, count, lastId);
      await reader.waitFor((r) => r.data?.printJobQueued?.id === lastId, 150_000);
    } finally {
      passing = false;
      await sampling;
    }

    // the reader kept up, or was told exactly what it missed
    const received = new Set(reader.results.map((r) => r.data?.printJobQueued?.id));
    const dropped = reader.results.reduce((sum, r) => sum + (r.extensions?.live?.dropped ?? 0), 0);
    expect(received.size + dropped).toBe(count);
    // the stalled one cost two queues of 16 and a message or two in flight, whatever passed
    expect(stalled.socket.readyState).toBe(WebSocket.OPEN);
    expect(peak.buffered).toBeLessThanOrEqual(2 * 16);
    expect(peak.sendBuffer).toBeLessThan(1024 * 1024);
    expect(peak.heap - heapBefore).toBeLessThan(96 * 1024 * 1024);
    expect(await metric(gateway.url, 'graphql_subscription_dropped_events_total', { field: 'printJobQueued' })).toBeGreaterThan(count / 2);

    // once it reads again it learns how many it lost
    stalled.socket.resume();
    const told = await eventually(async () => stalled.messages.find((m) => m.type === 'next' && m.payload?.extensions?.live?.dropped), 30_000);
    expect(told.payload!.extensions!.live!.dropped).toBeGreaterThan(0);
    stalled.socket.close();
  }, 240_000);

  it('resumes after the subgraph restarts, and marks the first event after the gap', async () => {
    const token = await tokenFor({ role: 'manager' });
    const board = subscribe(connect(token, gateway.url), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    await liveAt(ordersB.url, 'orderChanged');
    const before = await placePosOrder();
    await board.waitFor((r) => r.data?.orderChanged?.order?.id === before.id);

    const port = ordersB.port;
    await ordersB.stop();
    ordersB = await startOrders(port);
    // the gateway subscribes again by itself
    await liveAt(ordersB.url, 'orderChanged');
    const after = await placePosOrder();
    const seen = await board.waitFor((r) => r.data?.orderChanged?.order?.id === after.id);
    expect(seen.errors).toBeUndefined();
    expect(board.error).toBeNull();
    expect(board.results.filter((r) => r.extensions?.live?.gap)).toHaveLength(1);
  }, 60_000);

  it('closes every subscription connection with 4205 when the supergraph changes, and subscribes again at once', async () => {
    const token = await tokenFor({ role: 'manager' });
    const board = subscribe(connect(token, gateway.url), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    await liveAt(ordersB.url, 'orderChanged');
    gateway.updateSupergraph(`${readFileSync(SUPERGRAPH_PATH, 'utf8')}\n# a new composition\n`);
    await board.ended();
    expect(closeCodeOf(board.error)).toBe(4205);

    const again = subscribe(connect(token, gateway.url), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    await liveAt(ordersB.url, 'orderChanged');
    const order = await placePosOrder();
    await again.waitFor((r) => r.data?.orderChanged?.order?.id === order.id);
  });

  it('closes every subscription connection with 1001 when it stops', async () => {
    const board = subscribe(connect(await tokenFor({ role: 'manager' }), gateway.url), ORDER_BOARD, { storeId: demo.stores[0]!.id });
    await liveAt(ordersB.url, 'orderChanged');
    stopped = true;
    await gateway.stop();
    await board.ended();
    expect(closeCodeOf(board.error)).toBe(1001);
  });
});

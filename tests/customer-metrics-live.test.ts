/**
 * The customers subgraph's StoreMetrics fields (customersToday, newCustomersToday) on the live
 * dashboard: storeMetricsChanged through the real gateway with a real graphql-ws client, using
 * documents of this file (the shared LiveDashboard operation does not select these fields).
 */
import { randomUUID } from 'node:crypto';
import { customers } from '@comanda/customers';
import { Decimal } from '@comanda/kit';
import { type Client, createClient } from 'graphql-ws';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { recordPurchase } from '../subgraphs/customers/src/services/activity.ts';
import { LIVE_TOPICS } from '../subgraphs/orders/src/live.ts';
import { adminQuery, demo, eventually, gatewayUrl, gql, tokenFor, withSubgraphEm } from './support/client.ts';
import { pay, placePosOrder } from './support/flows.ts';

const CUSTOMER_DASHBOARD = `subscription CustomerDashboard($storeId: ID!) {
  storeMetricsChanged(storeId: $storeId) { storeId ordersToday customersToday newCustomersToday }
}`;
const METRICS = `query($storeId: ID!) { storeMetrics(storeId: $storeId) { customersToday newCustomersToday } }`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const MERGE = `mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { userErrors { code } } }`;

interface Counts {
  customersToday: number;
  newCustomersToday: number;
}

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
});

/** Subscribes and collects the results. */
interface Pushed {
  data?: any;
  errors?: readonly unknown[];
}

function watch(token: string, storeId: string): { results: Pushed[] } {
  const client = createClient({
    url: gatewayUrl().replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const seen = { results: [] as Pushed[] };
  client.subscribe(
    { query: CUSTOMER_DASHBOARD, variables: { storeId } },
    { next: (r) => void seen.results.push(r), error: () => {}, complete: () => {} },
  );
  return seen;
}

/** How many storeMetricsChanged subscriptions the orders subgraph (which serves the field) holds. */
async function subscribers(): Promise<number> {
  const page = await (await fetch(inject('subgraphUrls').orders!.replace(/\/graphql$/, '/metrics'))).text();
  const line = page.split('\n').find((l) => l.startsWith('live_subscribers{') && l.includes('field="storeMetricsChanged"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Subscriptions reach the subgraph asynchronously: subscribes, then waits until it serves one more. */
async function watching(token: string, storeId: string) {
  const before = await subscribers();
  const dashboard = watch(token, storeId);
  await eventually(async () => (await subscribers()) > before, 15_000);
  return dashboard;
}

const countsOf = (r: Pushed): Counts | null => r.data?.storeMetricsChanged ?? null;

describe('customersToday and newCustomersToday on storeMetricsChanged', () => {
  it('go up on the live dashboard when a new customer buys at the store', async () => {
    const store = demo.stores[0]!;
    const token = await tokenFor({ role: 'manager' });
    const before: Counts = (await gql(METRICS, { storeId: store.id })).data.storeMetrics;
    const dashboard = await watching(token, store.id);

    const customerId = (await gql(CREATE, { input: { kind: 'PERSON', name: 'Live Dashboard Buyer' } })).data.createCustomer.customer.id;
    const order = await placePosOrder({ customerId, storeId: store.id });
    await pay(order.id, order.total.amount, 'CASH', '1000.00');

    // other tests sell at this store too: the counts only grow, and this sale makes both grow
    const pushed = await eventually(async () =>
      dashboard.results.map(countsOf).find((c) => c && c.customersToday > before.customersToday && c.newCustomersToday > before.newCustomersToday),
    );
    expect(pushed).toMatchObject({ customersToday: expect.any(Number), newCustomersToday: expect.any(Number) });
    expect(dashboard.results.filter((r) => r.errors)).toEqual([]);
  });

  // customers tells the dashboard itself (activity.changed, with the store) once orders' live feed reads its topic
  it.skipIf(!LIVE_TOPICS.includes('comanda.customers.activity.v1'))('change live on a merge, which no order event announces', async () => {
    const tenant = `lv${randomUUID().slice(0, 8)}`;
    const storeId = randomUUID();
    await adminQuery(
      `insert into orders.store (id, tenant_id, name, currency_code, country_code, timezone) values ($1, $2, 'Live Merge Shop', 'RON', 'RO', 'Europe/Bucharest')`,
      [storeId, tenant],
    );
    const token = await tokenFor({ role: 'manager', tenant });
    const create = async (name: string) =>
      (await gql(CREATE, { input: { kind: 'PERSON', name } }, { token })).data.createCustomer.customer.id as string;
    const [survivor, duplicate] = [await create('Live Survivor'), await create('Live Duplicate')];
    const dashboard = await watching(token, storeId);

    const actor = { tenantId: tenant, userId: 'test', traceparent: null };
    for (const customerId of [survivor, duplicate]) {
      await withSubgraphEm(customers, tenant, (tx) =>
        recordPurchase(tx, actor, { orderId: randomUUID(), customerId, storeId, placedAt: new Date(), total: new Decimal('5.00'), currency: 'RON' }),
      );
    }
    await eventually(async () => dashboard.results.map(countsOf).find((c) => c?.customersToday === 2 && c.newCustomersToday === 2));

    expect((await gql(MERGE, { input: { survivorId: survivor, mergedId: duplicate } }, { token })).data.mergeCustomers.userErrors).toEqual([]);
    await eventually(async () => dashboard.results.map(countsOf).find((c) => c?.customersToday === 1 && c.newCustomersToday === 1));
  });
});

import { randomUUID } from 'node:crypto';
import { toEnvelope } from '@comanda/kafka';
import { calendarDay, Decimal } from '@comanda/kit';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql, tokenFor, withSubgraphEm } from '../../../tests/support/client.ts';
import { placePosOrder } from '../../../tests/support/flows.ts';
import { customers } from '../src/index.ts';
import { purchasesOnOrders } from '../src/reactions.ts';
import { cancelPurchase, recordPurchase } from '../src/services/activity.ts';

/**
 * What customers learns from orders' events, through the gateway: Customer.stats, the search's
 * behaviour filters, merges and erasure, and StoreMetrics' customer counts on a store's own
 * calendar day. Every test makes its own customers (or its own tenant), so tests sharing the
 * stack never count each other's sales.
 */

const STATS = `stats { ordersCount totalSpent { amount currencyCode } firstPurchaseAt firstPurchaseStore { id } lastPurchaseAt lastPurchaseStore { id } }`;
const GET = `query($id: ID!) { customer(id: $id) { id status ${STATS} } }`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code } } }`;
const SEARCH = `query($f: CustomerFilter) { customers(first: 50, filter: $f) { nodes { id name } } }`;
const MERGE = `mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { customer { id } userErrors { code } } }`;
const ERASE = `mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customer { id status } userErrors { code } } }`;
const EXPORT = `query($id: ID!) { exportCustomerData(customerId: $id) }`;
const CANCEL = `mutation($id: ID!) { transitionOrder(input: { orderId: $id, to: CANCELLED, reason: "customer changed their mind" }) { order { status } userErrors { code } } }`;
const METRICS = `query($storeId: ID!) { storeMetrics(storeId: $storeId) { storeId timezone customersToday newCustomersToday } }`;

const [bucharest, cluj] = demo.stores as [(typeof demo.stores)[number], (typeof demo.stores)[number]];
const catalog = loadEventCatalog();
const freshTag = () => `t${randomUUID().slice(0, 8)}`;

async function person(name: string, tags: string[] = []): Promise<string> {
  const res = await gql(CREATE, { input: { kind: 'PERSON', name, tags } });
  expect(res.data?.createCustomer?.userErrors).toEqual([]);
  return res.data.createCustomer.customer.id;
}

const stats = async (id: string) => (await gql(GET, { id })).data?.customer?.stats;

/** Waits until the customer's stats show `count` orders (the projection follows orders' events). */
const statsWith = (id: string, count: number) => eventually(async () => ((await stats(id))?.ordersCount === count ? stats(id) : null), 15_000);

const activityEvents = async (customerId: string) =>
  (
    await adminQuery(
      `select id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from customers.outbox
        where aggregate_type = 'activity' and aggregate_id = $1 order by sequence`,
      [customerId],
    )
  ).map((row) => toEnvelope('customers', row as never));

const sum = (...amounts: string[]) => amounts.reduce((acc, a) => acc.plus(a), new Decimal(0)).toFixed(2);

describe('Customer.stats', () => {
  it('counts the orders placed for a customer, sums them exactly, keeps first and last store; a cancelled order leaves', async () => {
    const id = await person('Stats Buyer');
    expect(await stats(id)).toEqual({
      ordersCount: 0,
      totalSpent: [],
      firstPurchaseAt: null,
      firstPurchaseStore: null,
      lastPurchaseAt: null,
      lastPurchaseStore: null,
    });
    const first = await placePosOrder({ customerId: id, storeId: bucharest.id });
    await statsWith(id, 1);
    const second = await placePosOrder({ customerId: id, storeId: cluj.id });
    await statsWith(id, 2);
    const third = await placePosOrder({ customerId: id, storeId: bucharest.id });
    await statsWith(id, 3);
    expect((await gql(CANCEL, { id: third.id })).data.transitionOrder.userErrors).toEqual([]);

    const after = await statsWith(id, 2);
    expect(after.totalSpent).toEqual([{ amount: sum(first.total.amount, second.total.amount), currencyCode: 'RON' }]);
    expect(after.firstPurchaseStore).toEqual({ id: bucharest.id });
    // the cancelled order was the last one: the last purchase is the one before it again
    expect(after.lastPurchaseStore).toEqual({ id: cluj.id });
    expect(new Date(after.firstPurchaseAt).getTime()).toBeLessThan(new Date(after.lastPurchaseAt).getTime());

    const rows = await adminQuery('select order_id, cancelled_at from customers.customer_purchase where customer_id = $1 order by placed_at', [id]);
    expect(rows.map((r) => [r.order_id, r.cancelled_at !== null])).toEqual([
      [first.id, false],
      [second.id, false],
      [third.id, true],
    ]);

    const events = await activityEvents(id);
    expect(events.map((e) => [e.data.cause, e.data.orderId, e.storeid])).toEqual([
      ['PURCHASE', first.id, bucharest.id],
      ['PURCHASE', second.id, cluj.id],
      ['PURCHASE', third.id, bucharest.id],
      ['CANCELLATION', third.id, bucharest.id],
    ]);
    expect(events.at(-1)?.data).toMatchObject({
      ordersCount: 2,
      totalSpent: after.totalSpent.map((m: any) => ({ amount: m.amount, currency: m.currencyCode })),
    });
    for (const event of events) expect(catalog.validate(event), event.type).toBeNull();
  });

  it('applies a redelivered order event once, whatever its event id', async () => {
    const id = await person('Redelivered Buyer');
    const order = await placePosOrder({ customerId: id });
    await statsWith(id, 1);
    const [row] = await adminQuery(
      `select id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from orders.outbox
        where aggregate_id = $1 and type = 'comanda.orders.order.placed.v1'`,
      [order.id],
    );
    const placed = toEnvelope('orders', row as never);
    // the same order published again under another id (a producer retry): the inbox does not know it, the purchase does
    await withSubgraphEm(customers, demo.tenantId, (tx) => purchasesOnOrders.handle(tx, { ...placed, id: randomUUID() }));
    expect((await stats(id)).ordersCount).toBe(1);
    expect(await activityEvents(id)).toHaveLength(1);
  });

  it('is not shown once the customer is erased; the purchases stay, anonymously, for the stores figures', async () => {
    const id = await person('Erased Buyer');
    const order = await placePosOrder({ customerId: id });
    await statsWith(id, 1);
    const erased = await gql(ERASE, { input: { customerId: id, reason: 'asked in store, 2026-06-01' } });
    expect(erased.data.eraseCustomer.userErrors).toEqual([]);
    expect(await stats(id)).toBeNull();
    const rows = await adminQuery('select customer_id, order_id from customers.customer_purchase where order_id = $1', [order.id]);
    expect(rows).toEqual([{ customer_id: id, order_id: order.id }]);
    const [activity] = await adminQuery('select orders_count from customers.customer_activity where customer_id = $1', [id]);
    expect(activity.orders_count).toBe(1);
  });

  it('is in the GDPR export: the orders the customer placed', async () => {
    const id = await person('Export Buyer');
    const order = await placePosOrder({ customerId: id });
    await statsWith(id, 1);
    const doc = JSON.parse((await gql(EXPORT, { id })).data.exportCustomerData);
    expect(doc.purchases).toEqual([
      { orderId: order.id, storeId: bucharest.id, placedAt: expect.any(String), total: order.total.amount, currency: 'RON', cancelledAt: null },
    ]);
  });
});

describe('search by behaviour', () => {
  it('filters by orders, spend in a currency and the time of the last purchase', async () => {
    const tag = freshTag();
    const regular = await person('Regular Buyer', [tag]);
    const once = await person('Once Buyer', [tag]);
    const never = await person('Never Buyer', [tag]);
    const start = new Date();
    const a = await placePosOrder({ customerId: regular });
    const b = await placePosOrder({ customerId: regular });
    const c = await placePosOrder({ customerId: once, lines: [{ variantId: demo.products[0]!.variants[0]!.id, quantity: '1' }] });
    await statsWith(regular, 2);
    await statsWith(once, 1);
    const names = async (f: Record<string, unknown>) =>
      ((await gql(SEARCH, { f: { tag, ...f } })).data.customers.nodes as { name: string }[]).map((n) => n.name).sort();

    expect(await names({})).toEqual(['Never Buyer', 'Once Buyer', 'Regular Buyer']);
    expect(await names({ minOrders: 2 })).toEqual(['Regular Buyer']);
    expect(await names({ minOrders: 1 })).toEqual(['Once Buyer', 'Regular Buyer']);
    expect(await names({ minOrders: 0 })).toEqual(['Never Buyer', 'Once Buyer', 'Regular Buyer']);
    const regularSpent = sum(a.total.amount, b.total.amount);
    expect(await names({ minSpent: { amount: regularSpent, currencyCode: 'RON' } })).toEqual(['Regular Buyer']);
    expect(await names({ minSpent: { amount: new Decimal(regularSpent).plus('0.01').toFixed(2), currencyCode: 'RON' } })).toEqual([]);
    expect(await names({ minSpent: { amount: c.total.amount, currencyCode: 'RON' } })).toEqual(['Once Buyer', 'Regular Buyer']);
    expect(await names({ minSpent: { amount: '0.01', currencyCode: 'EUR' } })).toEqual([]);
    expect(await names({ lastPurchaseAfter: start.toISOString() })).toEqual(['Once Buyer', 'Regular Buyer']);
    expect(await names({ lastPurchaseBefore: start.toISOString() })).toEqual([]);
    expect(await names({ lastPurchaseBefore: new Date(Date.now() + 60_000).toISOString(), minOrders: 2 })).toEqual(['Regular Buyer']);
    expect(never).toBeTruthy();

    const bad = await gql(SEARCH, { f: { tag, minOrders: -1 } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_FILTER' });
  });
});

describe('merging customers who bought', () => {
  it("moves the merged customer's purchases to the survivor; later orders under the merged id count for the survivor", async () => {
    const survivor = await person('Merge Survivor');
    const duplicate = await person('Merge Duplicate');
    const early = await placePosOrder({ customerId: duplicate, storeId: cluj.id });
    await statsWith(duplicate, 1);
    const late = await placePosOrder({ customerId: survivor, storeId: bucharest.id });
    await statsWith(survivor, 1);

    expect((await gql(MERGE, { input: { survivorId: survivor, mergedId: duplicate } })).data.mergeCustomers.userErrors).toEqual([]);
    const merged = await stats(survivor);
    expect(merged.ordersCount).toBe(2);
    expect(merged.totalSpent).toEqual([{ amount: sum(early.total.amount, late.total.amount), currencyCode: 'RON' }]);
    expect(merged.firstPurchaseStore).toEqual({ id: cluj.id });
    // the merged id resolves to the survivor, stats included
    expect((await gql(GET, { id: duplicate })).data.customer).toMatchObject({ id: survivor, stats: { ordersCount: 2 } });
    const [tombstone] = await adminQuery('select orders_count from customers.customer_activity where customer_id = $1', [duplicate]);
    expect(tombstone.orders_count).toBe(0);
    const events = await activityEvents(survivor);
    // both purchases are from the last 48 hours: one event per store whose today may have changed
    expect(events.filter((e) => e.data.cause === 'MERGE').map((e) => e.storeid)).toEqual([bucharest.id, cluj.id].sort());

    await placePosOrder({ customerId: duplicate });
    await statsWith(survivor, 3);
    const [moved] = await adminQuery('select count(*)::int as n from customers.customer_purchase where customer_id = $1', [duplicate]);
    expect(moved.n).toBe(0);
  });
});

describe('concurrency', () => {
  it('loses no purchase when many arrive at once for one customer while it is merged into another', async () => {
    const tenant = `cc${randomUUID().slice(0, 8)}`;
    const token = await tokenFor({ role: 'manager', tenant });
    const create = async (name: string) =>
      (await gql(CREATE, { input: { kind: 'PERSON', name } }, { token })).data.createCustomer.customer.id as string;
    const [survivor, duplicate] = [await create('Concurrent Survivor'), await create('Concurrent Duplicate')];
    const actor = { tenantId: tenant, userId: 'test', traceparent: null };
    const buy = (customerId: string, cents: number) =>
      withSubgraphEm(customers, tenant, (tx) =>
        recordPurchase(tx, actor, {
          orderId: randomUUID(),
          customerId,
          storeId: bucharest.id,
          placedAt: new Date(Date.now() - cents * 1000),
          total: new Decimal(cents).dividedBy(100),
          currency: 'RON',
        }),
      );
    const amounts = Array.from({ length: 12 }, (_, i) => 101 + i);
    const merge = gql(MERGE, { input: { survivorId: survivor, mergedId: duplicate } }, { token });
    await Promise.all([...amounts.map((cents, i) => buy(i % 2 ? survivor : duplicate, cents)), merge]);
    expect((await merge).data.mergeCustomers.userErrors).toEqual([]);

    const merged = (await gql(GET, { id: survivor }, { token })).data.customer.stats;
    expect(merged.ordersCount).toBe(amounts.length);
    expect(merged.totalSpent).toEqual([{ amount: new Decimal(amounts.reduce((a, b) => a + b, 0)).dividedBy(100).toFixed(2), currencyCode: 'RON' }]);
    const left = await adminQuery('select count(*)::int as n from customers.customer_purchase where tenant_id = $1 and customer_id = $2', [
      tenant,
      duplicate,
    ]);
    expect(left[0].n).toBe(0);
    // each customer's events are in sequence, with no gap: one writer at a time
    const sequences = await adminQuery(
      `select aggregate_id, array_agg(sequence order by sequence)::int[] as seq from customers.outbox
        where tenant_id = $1 and aggregate_type = 'activity' group by aggregate_id`,
      [tenant],
    );
    for (const { seq } of sequences) expect(seq).toEqual(seq.map((_: number, i: number) => i + 1));
  });
});

/** A fixed-offset zone whose local time is now closest to noon: the store's day then starts and ends about 12 h away. */
function zoneNearNoon(now: Date): string {
  let best = { zone: 'Etc/UTC', distance: 24 };
  for (let offset = -12; offset <= 14; offset++) {
    const local = (now.getUTCHours() + now.getUTCMinutes() / 60 + offset + 48) % 24;
    const distance = Math.abs(local - 12);
    // Etc/GMT-3 is UTC+3 (POSIX signs)
    const zone = offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    if (distance < best.distance) best = { zone, distance };
  }
  return best.zone;
}

describe('StoreMetrics customer counts', () => {
  it("count the customers of the store's own calendar day, new ones being those whose first purchase ever it was", async () => {
    // a tenant of its own, with one store in a zone whose midnight is far from now, so nothing else counts here
    const tenant = `cm${randomUUID().slice(0, 8)}`;
    const storeId = randomUUID();
    const elsewhere = randomUUID();
    const timezone = zoneNearNoon(new Date());
    await adminQuery(
      `insert into orders.store (id, tenant_id, name, currency_code, country_code, timezone) values ($1, $2, 'Day Boundary Shop', 'RON', 'RO', $3)`,
      [storeId, tenant, timezone],
    );
    const { from, to } = calendarDay(new Date(), timezone);
    const minutes = (base: Date, n: number) => new Date(base.getTime() + n * 60_000);
    const actor = { tenantId: tenant, userId: 'test', traceparent: null };
    const buy = (customerId: string, at: Date, store = storeId, orderId: string = randomUUID()) =>
      withSubgraphEm(customers, tenant, (tx) =>
        recordPurchase(tx, actor, { orderId, customerId, storeId: store, placedAt: at, total: new Decimal('10.00'), currency: 'RON' }),
      ).then(() => orderId);
    const [returning, fresh, yesterdayOnly, firstElsewhere, cancelled, twiceToday] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];

    await buy(returning, minutes(from, -1)); // a minute before the store's midnight: yesterday
    await buy(returning, minutes(from, 1));
    await buy(fresh, minutes(to, -1)); // a minute before the next midnight: still today
    await buy(yesterdayOnly, minutes(from, -1));
    await buy(firstElsewhere, minutes(from, 5), elsewhere);
    await buy(firstElsewhere, minutes(from, 10));
    const gone = await buy(cancelled, minutes(from, 20));
    await withSubgraphEm(customers, tenant, (tx) =>
      cancelPurchase(tx, actor, { orderId: gone, customerId: cancelled, storeId, total: new Decimal('10.00'), currency: 'RON' }, new Date()),
    );
    await buy(twiceToday, minutes(from, 30));
    await buy(twiceToday, minutes(from, 40));

    const manager = await tokenFor({ role: 'manager', tenant });
    const res = await gql(METRICS, { storeId }, { token: manager });
    expect(res.errors).toBeUndefined();
    expect(res.data.storeMetrics).toEqual({ storeId, timezone, customersToday: 4, newCustomersToday: 2 });

    // the other store saw one customer today, a new one there
    await adminQuery(
      `insert into orders.store (id, tenant_id, name, currency_code, country_code, timezone) values ($1, $2, 'Elsewhere', 'RON', 'RO', $3)`,
      [elsewhere, tenant, timezone],
    );
    expect((await gql(METRICS, { storeId: elsewhere }, { token: manager })).data.storeMetrics).toMatchObject({
      customersToday: 1,
      newCustomersToday: 1,
    });
  });
});

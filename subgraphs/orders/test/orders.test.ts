import { randomUUID } from 'node:crypto';
import { loadKeys } from '@comanda/gateway';
import { Decimal, type SubgraphRuntime, signIdentity, startSubgraph, sum } from '@comanda/kit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery, databaseUrl, demo, gql, other, subgraphGql, tokenFor, withSubgraphEm } from '../../../tests/support/client.ts';
import { orders } from '../src/index.ts';
import { transitionOrder } from '../src/services/order-lifecycle.ts';

const pos = demo.stores[0]!;
const b2b = demo.stores[1]!;
const [coffee, water, mug] = [demo.products[0]!.variants[0]!, demo.products[3]!.variants[0]!, demo.products[11]!.variants[0]!];
const ana = demo.customers[0]!;

const ORDER_FIELDS = `id number status channel clientOrderId
  subtotal { amount currencyCode } discountTotal { amount } taxTotal { amount } total { amount currencyCode }
  lines { quantity vatRate unitPrice { amount } discount { amount } total { amount } netAmount { amount } taxAmount { amount } variant { id sku } }
  events { type fromStatus toStatus actor reason }`;
const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { replayed order { ${ORDER_FIELDS} } userErrors { field code message } notices { field code } } }`;
const TRANSITION = `mutation($input: TransitionOrderInput!) { transitionOrder(input: $input) { order { id status events { type fromStatus toStatus reason } } userErrors { field code message } } }`;

type Line = { variantId: string; quantity: string; unitPrice?: string };
const key = () => `test-${randomUUID()}`;

async function place(input: Record<string, unknown>, role: 'owner' | 'manager' | 'cashier' | 'partner' = 'cashier') {
  const res = await gql(PLACE, { input: { storeId: pos.id, clientOrderId: key(), channel: 'POS', ...input } }, { token: await tokenFor({ role }) });
  expect(res.errors).toBeUndefined();
  return res.data!.placeOrder;
}

async function placed(lines: Line[], extra: Record<string, unknown> = {}) {
  const result = await place({ lines, ...extra });
  expect(result.userErrors).toEqual([]);
  return result.order;
}

describe('stores and catalog', () => {
  it('lists the stores a token may use', async () => {
    const all = await gql(`{ stores { id name currencyCode countryCode timezone pricesIncludeVat } }`);
    expect(all.data?.stores).toEqual(
      demo.stores.map((s) => ({
        id: s.id,
        name: s.name,
        currencyCode: s.currencyCode,
        countryCode: s.countryCode,
        timezone: s.timezone,
        pricesIncludeVat: s.pricesIncludeVat,
      })),
    );
    const scoped = await gql(`{ stores { id } }`, {}, { token: await tokenFor({ role: 'cashier', store: b2b.id }) });
    expect(scoped.data?.stores).toEqual([{ id: b2b.id }]);
  });

  it('answers store(id) with null when not allowed, unknown or malformed', async () => {
    const token = await tokenFor({ role: 'cashier', store: b2b.id });
    const res = await gql(
      `query($a: ID!, $b: ID!, $c: ID!, $d: ID!) { a: store(id: $a) { id } b: store(id: $b) { id } c: store(id: $c) { id } d: store(id: $d) { id } }`,
      {
        a: pos.id,
        b: b2b.id,
        c: other.stores[0]!.id,
        d: 'nope',
      },
      { token },
    );
    expect(res.data).toEqual({ a: null, b: { id: b2b.id }, c: null, d: null });
  });

  it('pages the catalog alphabetically without repeats and searches name, SKU and barcode', async () => {
    const seen: { id: string; name: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await gql(
        `query($s: ID!, $a: String) { products(storeId: $s, first: 7, after: $a) { nodes { id name } pageInfo { hasNextPage endCursor } } }`,
        { s: pos.id, a: after },
      );
      seen.push(...res.data.products.nodes);
      if (!res.data.products.pageInfo.hasNextPage) break;
      after = res.data.products.pageInfo.endCursor;
    }
    expect(new Set(seen.map((p) => p.id)).size).toBe(seen.length);
    // other test files add products of their own: the demo catalog is there, in order
    const demoNames = new Set(demo.products.map((p) => p.name));
    const names = seen.map((p) => p.name).filter((name) => demoNames.has(name));
    expect(names).toEqual([...demoNames].sort((a, b) => (a < b ? -1 : 1)));
    const search = async (term: string) =>
      (
        await gql(
          `query($s: ID!, $t: String) { products(storeId: $s, search: $t) { nodes { name variants { sku price { amount currencyCode } } } } }`,
          { s: pos.id, t: term },
        )
      ).data?.products.nodes;
    expect((await search('espresso')).map((p: { name: string }) => p.name)).toEqual(['Espresso beans 1kg']);
    expect((await search(mug.sku.toLowerCase()))[0].variants[0]).toEqual({ sku: mug.sku, price: { amount: '39.00', currencyCode: 'RON' } });
    expect((await search(water.barcode)).map((p: { name: string }) => p.name)).toEqual(['Mineral water 2L']);
    expect(await search('100%')).toEqual([]);
  });

  it('finds a variant by barcode and ignores a wrong check digit', async () => {
    const query = `query($s: ID!, $b: String!) { variantByBarcode(storeId: $s, barcode: $b) { id sku vatRate price { amount currencyCode } product { name } } }`;
    const found = await gql(query, { s: pos.id, b: coffee.barcode });
    expect(found.data?.variantByBarcode).toEqual({
      id: coffee.id,
      sku: coffee.sku,
      vatRate: '11',
      price: { amount: '89.90', currencyCode: 'RON' },
      product: { name: 'Espresso beans 1kg' },
    });
    const typo = coffee.barcode.slice(0, 12) + String((Number(coffee.barcode[12]) + 1) % 10);
    expect((await gql(query, { s: pos.id, b: typo })).data?.variantByBarcode).toBeNull();
    const otherTenantsCode = other.products[0]!.variants[0]!.barcode;
    expect((await gql(query, { s: pos.id, b: otherTenantsCode })).data?.variantByBarcode).toBeNull();
  });
});

describe('placing an order', () => {
  it('prices a POS order with VAT-inclusive prices and writes order.placed with the whole order', async () => {
    const order = await placed(
      [
        { variantId: coffee.id, quantity: '2', unitPrice: '89.90' },
        { variantId: mug.id, quantity: '1.5' },
      ],
      { customerId: ana.id },
    );
    expect(order).toMatchObject({
      status: 'PENDING',
      channel: 'POS',
      subtotal: { amount: '238.30', currencyCode: 'RON' },
      discountTotal: { amount: '0.00' },
      taxTotal: { amount: '27.97' }, // 179.80 x 11/111 = 17.82; 58.50 x 21/121 = 10.15
      total: { amount: '238.30', currencyCode: 'RON' },
    });
    expect(order.number).toMatch(/^B-\d{6}$/);
    expect(order.lines).toEqual([
      {
        quantity: '2',
        vatRate: '11',
        unitPrice: { amount: '89.90' },
        discount: { amount: '0.00' },
        total: { amount: '179.80' },
        netAmount: { amount: '161.98' },
        taxAmount: { amount: '17.82' },
        variant: { id: coffee.id, sku: coffee.sku },
      },
      {
        quantity: '1.5',
        vatRate: '21',
        unitPrice: { amount: '39.00' },
        discount: { amount: '0.00' },
        total: { amount: '58.50' },
        netAmount: { amount: '48.35' },
        taxAmount: { amount: '10.15' },
        variant: { id: mug.id, sku: mug.sku },
      },
    ]);
    expect(order.events).toEqual([{ type: 'placed', fromStatus: null, toStatus: 'PENDING', actor: expect.any(String), reason: null }]);

    const [event] = await adminQuery(`select type, store_id, data from orders.outbox where aggregate_id = $1`, [order.id]);
    expect(event.type).toBe('comanda.orders.order.placed.v1');
    expect(event.store_id).toBe(pos.id);
    expect(event.data).toMatchObject({
      orderId: order.id,
      storeId: pos.id,
      channel: 'POS',
      customerId: ana.id,
      payOnAccount: false,
      currency: 'RON',
      total: '238.30',
      taxTotal: '27.97',
    });
    expect(event.data.lines[0]).toMatchObject({
      variantId: coffee.id,
      quantity: '2',
      unitPrice: '89.9',
      vatRate: '11',
      discount: '0.00',
      total: '179.80',
      taxAmount: '17.82',
    });
    const breakdown = event.data.vatBreakdown as { rate: string; taxableAmount: string; taxAmount: string }[];
    expect(breakdown.map((b) => b.rate)).toEqual(['11', '21']);
    expect(sum(breakdown.flatMap((b) => [b.taxableAmount, b.taxAmount])).toFixed(2)).toBe('238.30');
    expect(sum(breakdown.map((b) => b.taxAmount)).toFixed(2)).toBe('27.97');
  });

  it('adds VAT on top of net prices in a B2B store', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '10' }], {
      storeId: b2b.id,
      channel: 'B2B',
      customerId: demo.customers[2]!.id,
      payOnAccount: true,
    });
    expect(order.number).toMatch(/^C-\d{6}$/);
    expect(order).toMatchObject({ subtotal: { amount: '899.00' }, taxTotal: { amount: '98.89' }, total: { amount: '997.89' } });
    expect(order.lines[0]).toMatchObject({ total: { amount: '899.00' }, netAmount: { amount: '899.00' }, taxAmount: { amount: '98.89' } });
  });

  it('replays the same request and refuses a different one under the same key', async () => {
    const clientOrderId = key();
    const first = await place({ clientOrderId, lines: [{ variantId: water.id, quantity: '3' }] });
    const again = await place({ clientOrderId, lines: [{ variantId: water.id.toUpperCase(), quantity: '3.000' }] });
    expect(again.replayed).toBe(true);
    expect(again.order.id).toBe(first.order.id);
    const different = await place({ clientOrderId, lines: [{ variantId: water.id, quantity: '4' }] });
    expect(different).toMatchObject({
      order: null,
      replayed: false,
      userErrors: [{ code: 'IDEMPOTENCY_CONFLICT', field: ['input', 'clientOrderId'] }],
    });
    expect(await adminQuery(`select count(*)::int as n from orders.outbox where aggregate_id = $1`, [first.order.id])).toEqual([{ n: 1 }]);
  });

  it('creates exactly one order from 20 concurrent identical requests', async () => {
    const clientOrderId = key();
    const token = await tokenFor({ role: 'cashier' });
    const input = { storeId: pos.id, clientOrderId, channel: 'POS', lines: [{ variantId: coffee.id, quantity: '1' }] };
    const results = await Promise.all(Array.from({ length: 20 }, () => gql(PLACE, { input }, { token })));
    expect(results.every((r) => !r.errors && r.data?.placeOrder.userErrors.length === 0)).toBe(true);
    expect(new Set(results.map((r) => r.data?.placeOrder.order.id)).size).toBe(1);
    expect(results.filter((r) => r.data?.placeOrder.replayed === false)).toHaveLength(1);
    const rows = await adminQuery(`select id from orders.sales_order where client_order_id = $1`, [clientOrderId]);
    expect(rows).toHaveLength(1);
    expect(await adminQuery(`select count(*)::int as n from orders.outbox where aggregate_id = $1`, [rows[0].id])).toEqual([{ n: 1 }]);
  });

  it('numbers orders per store without gaps or duplicates under concurrency', async () => {
    await Promise.all(Array.from({ length: 10 }, () => place({ lines: [{ variantId: water.id, quantity: '1' }] })));
    for (const store of demo.stores) {
      const rows = await adminQuery(`select number from orders.sales_order where store_id = $1`, [store.id]);
      const sequence = rows.map((r) => Number(r.number.split('-')[1])).sort((a, b) => a - b);
      expect(sequence).toEqual(sequence.map((_, i) => i + 1));
    }
  });

  it('refuses a different price at the till unless a manager overrides it, and records the override', async () => {
    const lines = [{ variantId: coffee.id, quantity: '1', unitPrice: '80.00' }];
    const cashier = await place({ lines }, 'cashier');
    expect(cashier).toMatchObject({ order: null, userErrors: [{ code: 'PRICE_CHANGED', field: ['input', 'lines', '0', 'unitPrice'] }] });
    // an override is a deliberate act: a manager without the flag is told the price changed too
    expect((await place({ lines }, 'manager')).userErrors.map((e: { code: string }) => e.code)).toEqual(['PRICE_CHANGED']);
    const overriding = [{ ...lines[0], overridePrice: true }];
    const refused = await place({ lines: overriding }, 'cashier');
    expect(refused).toMatchObject({
      order: null,
      userErrors: [{ code: 'PRICE_OVERRIDE_NOT_ALLOWED', field: ['input', 'lines', '0', 'overridePrice'] }],
    });
    const manager = await place({ lines: overriding }, 'manager');
    expect(manager.userErrors).toEqual([]);
    expect(manager.order.lines[0].unitPrice).toEqual({ amount: '80.00' });
    expect(manager.order.total).toEqual({ amount: '80.00', currencyCode: 'RON' });
    expect(manager.order.events[0].reason).toBe(`price override: ${coffee.sku} 89.9 -> 80`);
  });

  it('uses the server price on other channels and reports the difference as a notice', async () => {
    const result = await place({ channel: 'WEB', lines: [{ variantId: coffee.id, quantity: '1', unitPrice: '80.00' }] }, 'partner');
    expect(result.userErrors).toEqual([]);
    expect(result.notices).toEqual([{ code: 'PRICE_CHANGED', field: ['input', 'lines', '0', 'unitPrice'] }]);
    expect(result.order.total.amount).toBe('89.90');
  });

  it('lets partners place WEB and MARKETPLACE orders only', async () => {
    const res = await gql(
      PLACE,
      { input: { storeId: pos.id, clientOrderId: key(), channel: 'POS', lines: [{ variantId: coffee.id, quantity: '1' }] } },
      { token: await tokenFor({ role: 'partner' }) },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it.each([
    ['EMPTY_LINES', { lines: [] }],
    ['INVALID_QUANTITY', { lines: [{ variantId: coffee.id, quantity: '0' }] }],
    ['INVALID_QUANTITY', { lines: [{ variantId: coffee.id, quantity: '1.0001' }] }],
    ['UNKNOWN_VARIANT', { lines: [{ variantId: other.products[0]!.variants[0]!.id, quantity: '1' }] }],
    ['UNKNOWN_VARIANT', { lines: [{ variantId: 'nope', quantity: '1' }] }],
    ['UNKNOWN_STORE', { storeId: other.stores[0]!.id, lines: [{ variantId: coffee.id, quantity: '1' }] }],
    ['UNKNOWN_PROMOTION', { promotionCodes: ['SUMMER'], lines: [{ variantId: coffee.id, quantity: '1' }] }],
    ['CUSTOMER_REQUIRED', { payOnAccount: true, lines: [{ variantId: coffee.id, quantity: '1' }] }],
  ])('answers %s and writes nothing', async (code, input) => {
    const clientOrderId = key();
    const result = await place({ ...input, clientOrderId });
    expect(result.order).toBeNull();
    expect(result.userErrors.map((e: { code: string }) => e.code)).toContain(code);
    expect(await adminQuery(`select id from orders.sales_order where client_order_id = $1`, [clientOrderId])).toEqual([]);
  });

  it('refuses a store outside the token', async () => {
    const res = await gql(
      PLACE,
      { input: { storeId: pos.id, clientOrderId: key(), channel: 'POS', lines: [{ variantId: coffee.id, quantity: '1' }] } },
      { token: await tokenFor({ role: 'cashier', store: b2b.id }) },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the order lifecycle', () => {
  const transition = async (orderId: string, to: string, reason?: string) =>
    (await gql(TRANSITION, { input: { orderId, to, reason } })).data!.transitionOrder;

  it('moves along the machine, appends events and publishes order.<status>', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }], { customerId: ana.id });
    expect(await transition(order.id, 'COMPLETED')).toMatchObject({
      order: null,
      userErrors: [{ code: 'INVALID_TRANSITION', field: ['input', 'to'] }],
    });
    expect((await transition(order.id, 'COMPLETED')).userErrors[0].message).toMatch(/PENDING to COMPLETED/);
    expect((await transition(order.id, 'CONFIRMED', 'paid in cash')).order.status).toBe('CONFIRMED');
    expect((await transition(order.id, 'PROCESSING')).order.status).toBe('PROCESSING');
    const done = await transition(order.id, 'COMPLETED');
    expect(done.order.events.map((e: { type: string }) => e.type)).toEqual(['placed', 'confirmed', 'processing', 'completed']);
    expect(done.order.events[1]).toEqual({ type: 'confirmed', fromStatus: 'PENDING', toStatus: 'CONFIRMED', reason: 'paid in cash' });
    expect((await transition(order.id, 'CANCELLED')).userErrors[0].code).toBe('INVALID_TRANSITION');

    const events = await adminQuery(`select type, sequence, data from orders.outbox where aggregate_id = $1 order by sequence`, [order.id]);
    expect(events.map((e) => e.type)).toEqual(['placed', 'confirmed', 'processing', 'completed'].map((t) => `comanda.orders.order.${t}.v1`));
    expect(events[1].data).toMatchObject({
      orderId: order.id,
      storeId: pos.id,
      customerId: ana.id,
      channel: 'POS',
      from: 'PENDING',
      to: 'CONFIRMED',
      reason: 'paid in cash',
      total: '89.90',
      currency: 'RON',
    });
  });

  it('needs a reason to cancel', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }]);
    expect(await transition(order.id, 'CANCELLED', '  ')).toMatchObject({
      order: null,
      userErrors: [{ code: 'REASON_REQUIRED', field: ['input', 'reason'] }],
    });
    expect((await transition(order.id, 'CANCELLED', 'customer left')).order.status).toBe('CANCELLED');
  });

  it('treats the same transition twice as a no-op without a new event', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }]);
    await transition(order.id, 'CANCELLED', 'customer left');
    const again = await transition(order.id, 'CANCELLED', 'customer left');
    expect(again).toMatchObject({ order: { status: 'CANCELLED' }, userErrors: [] });
    expect(again.order.events).toHaveLength(2);
    expect(await adminQuery(`select count(*)::int as n from orders.outbox where aggregate_id = $1`, [order.id])).toEqual([{ n: 2 }]);
  });

  it('serializes concurrent transitions: no lost update, one event per change', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }]);
    const targets = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'CONFIRMED' : 'CANCELLED'));
    await Promise.all(targets.map((to) => transition(order.id, to, 'race')));
    const [row] = await adminQuery(`select status from orders.sales_order where id = $1`, [order.id]);
    const history = await adminQuery(`select from_status, to_status from orders.order_event where order_id = $1 order by at, id`, [order.id]);
    expect(history.at(-1).to_status).toBe(row.status);
    for (let i = 1; i < history.length; i++) expect(history[i].from_status).toBe(history[i - 1].to_status);
    expect(history.length).toBeLessThanOrEqual(3);
    const sequences = await adminQuery(`select sequence from orders.outbox where aggregate_id = $1 order by sequence`, [order.id]);
    expect(sequences.map((s) => Number(s.sequence))).toEqual(history.map((_, i) => i + 1));
  });

  it('answers ORDER_NOT_FOUND for unknown, malformed, other-store and other-tenant orders', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }]);
    expect((await transition(randomUUID(), 'CONFIRMED')).userErrors[0].code).toBe('ORDER_NOT_FOUND');
    expect((await transition('nope', 'CONFIRMED')).userErrors[0].code).toBe('ORDER_NOT_FOUND');
    const scoped = await gql(
      TRANSITION,
      { input: { orderId: order.id, to: 'CONFIRMED' } },
      { token: await tokenFor({ role: 'manager', store: b2b.id }) },
    );
    expect(scoped.data?.transitionOrder.userErrors[0].code).toBe('ORDER_NOT_FOUND');
    const acme = await gql(
      TRANSITION,
      { input: { orderId: order.id, to: 'CONFIRMED' } },
      { token: await tokenFor({ role: 'manager', tenant: other.tenantId }) },
    );
    expect(acme.data?.transitionOrder.userErrors[0].code).toBe('ORDER_NOT_FOUND');
  });

  it('offers transitionOrder to other code for automatic transitions', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }]);
    const result = await withSubgraphEm(orders, demo.tenantId, (em) =>
      transitionOrder(em, { orderId: order.id, to: 'CONFIRMED', reason: 'PAID', actor: 'payments' }),
    );
    expect(result.changed).toBe(true);
    const [event] = await adminQuery(`select actor, reason from orders.order_event where order_id = $1 and type = 'confirmed'`, [order.id]);
    expect(event).toEqual({ actor: 'payments', reason: 'PAID' });
  });
});

describe('reading orders', () => {
  it('reads one order with its store and customer; others see null', async () => {
    const order = await placed([{ variantId: coffee.id, quantity: '1' }], { customerId: ana.id });
    const query = `query($id: ID!) { order(id: $id) { id store { id name } customer { id name } } }`;
    expect((await gql(query, { id: order.id })).data?.order).toEqual({
      id: order.id,
      store: { id: pos.id, name: pos.name },
      customer: { id: ana.id, name: ana.name },
    });
    expect((await gql(query, { id: order.id }, { token: await tokenFor({ role: 'manager', store: b2b.id }) })).data?.order).toBeNull();
    expect((await gql(query, { id: order.id }, { token: await tokenFor({ role: 'manager', tenant: other.tenantId }) })).data?.order).toBeNull();
    expect((await gql(query, { id: 'nope' })).data?.order).toBeNull();
    const entities = await subgraphGql(
      'orders',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }`,
      { r: [{ __typename: 'Order', id: order.id }] },
      { tenantId: other.tenantId },
    );
    expect(entities.data?._entities).toEqual([null]);
  });

  it("pages a store's orders newest first without repeats, and filters them", async () => {
    // a customer id of its own, so orders placed by other test files cannot interleave
    const customer = { id: randomUUID() };
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await placed([{ variantId: water.id, quantity: String(i + 1) }], { customerId: customer.id })).id);
    await gql(TRANSITION, { input: { orderId: mine[0], to: 'CANCELLED', reason: 'test' } });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await gql(
        `query($s: ID!, $a: String, $c: ID) { orders(storeId: $s, first: 2, after: $a, filter: { customerId: $c }) { nodes { id } edges { cursor } pageInfo { hasNextPage endCursor } } }`,
        { s: pos.id, a: after, c: customer.id },
      );
      seen.push(...res.data.orders.nodes.map((o: { id: string }) => o.id));
      expect(res.data.orders.edges.at(-1)?.cursor ?? null).toBe(res.data.orders.pageInfo.endCursor);
      if (!res.data.orders.pageInfo.hasNextPage) break;
      after = res.data.orders.pageInfo.endCursor;
    }
    expect(seen.slice(0, 5)).toEqual([...mine].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const cancelled = await gql(
      `query($s: ID!, $c: ID) { orders(storeId: $s, filter: { customerId: $c, status: [CANCELLED], channel: [POS] }) { nodes { id } } }`,
      { s: pos.id, c: customer.id },
    );
    expect(cancelled.data?.orders.nodes).toEqual([{ id: mine[0] }]);
    const future = await gql(`query($s: ID!, $f: DateTime) { orders(storeId: $s, filter: { createdFrom: $f }) { nodes { id } } }`, {
      s: pos.id,
      f: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.data?.orders.nodes).toEqual([]);
    const bad = await gql(`query($s: ID!) { orders(storeId: $s, after: "bm9wZQ") { nodes { id } } }`, { s: pos.id });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('adds orders to a customer', async () => {
    const created = await gql(
      `mutation { createCustomer(input: { kind: PERSON, name: "Orders Test Customer" }) { customer { id } userErrors { code } } }`,
    );
    const customer = created.data!.createCustomer.customer as { id: string };
    const first = await placed([{ variantId: water.id, quantity: '1' }], { customerId: customer.id });
    const second = await placed([{ variantId: water.id, quantity: '2' }], { customerId: customer.id });
    const query = `query($id: ID!, $a: String) { customer(id: $id) { id orders(first: 1, after: $a) { nodes { id number total { amount } } pageInfo { hasNextPage endCursor } } } }`;
    const page1 = (await gql(query, { id: customer.id })).data?.customer.orders;
    expect(page1.nodes).toEqual([{ id: second.id, number: second.number, total: { amount: second.total.amount } }]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await gql(query, { id: customer.id, a: page1.pageInfo.endCursor })).data?.customer.orders;
    expect(page2).toEqual({
      nodes: [{ id: first.id, number: first.number, total: { amount: first.total.amount } }],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
  });

  it("counts today's orders, sales and open orders of a store", async () => {
    const metrics = async () =>
      (await gql(`query($s: ID!) { storeMetrics(storeId: $s) { storeId ordersToday salesToday { amount currencyCode } openOrders } }`, { s: b2b.id }))
        .data!.storeMetrics;
    const before = await metrics();
    const kept = await placed([{ variantId: water.id, quantity: '1' }], { storeId: b2b.id, channel: 'B2B' });
    const dropped = await placed([{ variantId: water.id, quantity: '2' }], { storeId: b2b.id, channel: 'B2B' });
    await gql(TRANSITION, { input: { orderId: dropped.id, to: 'CANCELLED', reason: 'test' } });
    const after = await metrics();
    expect(after.storeId).toBe(b2b.id);
    expect(after.ordersToday - before.ordersToday).toBe(1);
    expect(after.openOrders - before.openOrders).toBe(1);
    expect(new Decimal(after.salesToday.amount).minus(before.salesToday.amount).toFixed(2)).toBe(kept.total.amount);
    expect(after.salesToday.currencyCode).toBe('RON');
  });
});

describe('batching', () => {
  let runtime: SubgraphRuntime;
  let secret: string;

  beforeAll(async () => {
    secret = (await loadKeys(inject('keysDir'))).internalSecret;
    runtime = await startSubgraph(orders, { databaseUrl: databaseUrl(), identitySecret: secret, port: 0, migrated: true });
    const existing = await adminQuery(`select count(*)::int as n from orders.sales_order where store_id = $1`, [pos.id]);
    const variants = demo.products.flatMap((p) => p.variants);
    for (let i = existing[0].n; i < 110; i++) {
      await placed(
        [
          { variantId: variants[i % variants.length]!.id, quantity: '1' },
          { variantId: variants[(i * 7) % variants.length]!.id, quantity: '2' },
        ],
        { customerId: demo.customers[i % 3]!.id },
      );
    }
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('runs as many statements for 100 orders as for 10', async () => {
    const query = `query($s: ID!, $n: Int) { orders(storeId: $s, first: $n) { nodes { id store { name } customer { id orders(first: 2) { nodes { number } } }
      lines { quantity variant { sku price { amount } product { name variants { sku } } } } events { type } } } }`;
    const identity = await signIdentity({ tenantId: demo.tenantId, userId: 'batching', roles: ['manager'], storeIds: null, printerId: null }, secret);
    const counts: number[] = [];
    // the first request of a fresh runtime also opens its pool: warm up before counting
    for (const n of [10, 10, 100]) {
      // counted per request id, so the subgraph's background event consumers do not blur the count
      const requestId = `batching-${n}-${crypto.randomUUID()}`;
      const res = await fetch(runtime.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-comanda-identity': identity, 'x-request-id': requestId },
        body: JSON.stringify({ query, variables: { s: pos.id, n } }),
      });
      const body = (await res.json()) as any;
      expect(body.errors).toBeUndefined();
      expect(body.data.orders.nodes).toHaveLength(n);
      const counted = (await (await fetch(new URL(`/debug/sql?requestId=${requestId}`, runtime.url))).json()) as { statements: number | null };
      expect(counted.statements).toBeGreaterThan(0);
      counts.push(counted.statements!);
    }
    expect(counts[2]).toBe(counts[1]);
  });
});

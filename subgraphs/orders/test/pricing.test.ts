import { randomUUID } from 'node:crypto';
import { toEnvelope } from '@comanda/kafka';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql, tokenFor } from '../../../tests/support/client.ts';
import { call, codes, freshProduct, key, PLACE, place, pos, SET_TIERS } from './support.ts';

const catalog = loadEventCatalog();

const CREATE_LIST = `mutation($input: CreatePriceListInput!) { createPriceList(input: $input) { replayed priceList { id name segment } userErrors { field code } } }`;
const SET_PRICES = `mutation($input: SetPriceListPricesInput!) { setPriceListPrices(input: $input) {
  priceList { id prices { variant { id } tiers { minQuantity unitPrice } } } userErrors { field code } } }`;
const SET_SEGMENT = `mutation($input: SetCustomerPriceSegmentInput!) { setCustomerPriceSegment(input: $input) {
  customer { id priceSegment priceList { segment } } userErrors { field code } } }`;

const segmentName = () => `SEG_${randomUUID().slice(0, 8)}`.toUpperCase();

async function newCustomer(name = 'Pricing Test Customer'): Promise<string> {
  const data = await call(`mutation($n: String!) { createCustomer(input: { kind: PERSON, name: $n }) { customer { id } userErrors { code } } }`, {
    n: name,
  });
  return data.createCustomer.customer.id;
}

async function eventsOf(aggregateId: string) {
  const rows = await adminQuery(
    `select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from orders.outbox where aggregate_id = $1 order by sequence`,
    [aggregateId],
  );
  return rows.map((row) => toEnvelope('orders', row));
}

describe('segment price lists', () => {
  it('creates a list per segment, replays the same create and refuses a second list for the segment', async () => {
    const segment = segmentName();
    const first = (await call(CREATE_LIST, { input: { name: 'Wholesale', segment: segment.toLowerCase() } })).createPriceList;
    expect(first).toMatchObject({ replayed: false, priceList: { name: 'Wholesale', segment }, userErrors: [] });
    const again = (await call(CREATE_LIST, { input: { name: 'Wholesale', segment } })).createPriceList;
    expect(again).toMatchObject({ replayed: true, priceList: { id: first.priceList.id } });
    expect((await call(CREATE_LIST, { input: { name: 'Other', segment } })).createPriceList).toMatchObject({
      priceList: null,
      userErrors: [{ code: 'SEGMENT_TAKEN', field: ['input', 'segment'] }],
    });
    expect(codes((await call(CREATE_LIST, { input: { name: ' ', segment: 'two words' } })).createPriceList)).toEqual([
      'NAME_REQUIRED',
      'INVALID_SEGMENT',
    ]);
    const lists = (await call('{ priceLists { id segment } }')).priceLists;
    expect(lists.filter((l: { segment: string }) => l.segment === segment)).toEqual([{ id: first.priceList.id, segment }]);
    const events = await eventsOf(first.priceList.id);
    expect(events.map((e) => e.type)).toEqual(['comanda.orders.price_list.created.v1']);
    expect(catalog.validate(events[0]!)).toBeNull();
  });

  it('sets per-variant tiers, checking every variant and tier', async () => {
    const product = await freshProduct(['10.00', '20.00']);
    const [a, b] = product.variants;
    const list = (await call(CREATE_LIST, { input: { name: 'Staff', segment: segmentName() } })).createPriceList.priceList;
    const set = (
      await call(SET_PRICES, { input: { priceListId: list.id, prices: [{ variantId: a!.id, tiers: [{ minQuantity: '1', unitPrice: '8' }] }] } })
    ).setPriceListPrices;
    expect(set.priceList.prices).toEqual([{ variant: { id: a!.id }, tiers: [{ minQuantity: '1', unitPrice: '8' }] }]);
    const bad = (
      await call(SET_PRICES, {
        input: {
          priceListId: list.id,
          prices: [
            { variantId: randomUUID(), tiers: [] },
            { variantId: b!.id, tiers: [{ minQuantity: '-1', unitPrice: '1' }] },
            { variantId: a!.id, tiers: [] },
            { variantId: a!.id, tiers: [] },
          ],
        },
      })
    ).setPriceListPrices;
    expect(bad.userErrors.map((e: { code: string; field: string[] }) => `${e.code}@${e.field.slice(2).join('.')}`)).toEqual([
      'INVALID_QUANTITY@1.tiers.0.minQuantity',
      'DUPLICATE_VARIANT@3.variantId',
      'VARIANT_NOT_FOUND@0.variantId',
    ]);
    // nothing of the refused call was written
    const read = await call(`query($id: ID!) { priceList(id: $id) { prices { variant { id } } } }`, { id: list.id });
    expect(read.priceList.prices).toEqual([{ variant: { id: a!.id } }]);
    expect(codes((await call(SET_PRICES, { input: { priceListId: randomUUID(), prices: [] } })).setPriceListPrices)).toEqual([
      'PRICE_LIST_NOT_FOUND',
    ]);
  });

  it('is edited by managers and owners only', async () => {
    const res = await gql(CREATE_LIST, { input: { name: 'x', segment: segmentName() } }, { token: await tokenFor({ role: 'cashier' }) });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the price a customer pays', () => {
  it('comes from the segment list where it has a tier for the quantity, else from the default prices', async () => {
    const product = await freshProduct(['10.00', '20.00']);
    const [tea, cups] = product.variants;
    await call(SET_TIERS, { input: { variantId: tea!.id, tiers: [{ minQuantity: '10', unitPrice: '9' }] } });
    const segment = segmentName();
    const list = (await call(CREATE_LIST, { input: { name: 'Wholesale', segment } })).createPriceList.priceList;
    await call(SET_PRICES, { input: { priceListId: list.id, prices: [{ variantId: tea!.id, tiers: [{ minQuantity: '5', unitPrice: '7.5' }] }] } });
    const buyer = await newCustomer();
    const walkIn = await newCustomer();

    expect(codes((await call(SET_SEGMENT, { input: { customerId: buyer, segment: 'NO_SUCH_LIST' } })).setCustomerPriceSegment)).toEqual([
      'UNKNOWN_SEGMENT',
    ]);
    const assigned = (await call(SET_SEGMENT, { input: { customerId: buyer, segment: segment.toLowerCase() } })).setCustomerPriceSegment;
    expect(assigned).toMatchObject({ customer: { id: buyer, priceSegment: segment, priceList: { segment } }, userErrors: [] });

    const lines = (quantity: string) => [
      { variantId: tea!.id, quantity },
      { variantId: cups!.id, quantity: '1' },
    ];
    const unit = async (customerId: string, quantity: string) =>
      (await place({ customerId, lines: lines(quantity) })).order.lines.map((l: any) => l.unitPrice.amount);
    expect(await unit(buyer, '5')).toEqual(['7.50', '20.00']); // segment tier reached; cups not in the list
    expect(await unit(buyer, '2')).toEqual(['10.00', '20.00']); // below the segment's first tier: list price
    expect(await unit(walkIn, '5')).toEqual(['10.00', '20.00']);
    expect(await unit(walkIn, '10')).toEqual(['9.00', '20.00']); // default tier

    // at the till the server's price is the one to agree with
    const stale = await place({ customerId: buyer, lines: [{ variantId: tea!.id, quantity: '5', unitPrice: '10' }] });
    expect(stale).toMatchObject({ order: null, userErrors: [{ code: 'PRICE_CHANGED', field: ['input', 'lines', '0', 'unitPrice'] }] });
    expect(stale.userErrors[0].message).toMatch(/7\.50, not 10\.00/);
    const override = await place(
      { customerId: buyer, lines: [{ variantId: tea!.id, quantity: '5', unitPrice: '7', overridePrice: true }] },
      'manager',
    );
    expect(override.order.lines[0]).toMatchObject({ unitPrice: { amount: '7.00' }, listPrice: { amount: '7.50' } });
    const history = await call(`query($id: ID!) { order(id: $id) { events { reason } } }`, { id: override.order.id });
    expect(history.order.events[0].reason).toBe(`price override: ${tea!.sku} 7.5 -> 7`);

    // out of the segment, default prices again; the events say who changed it
    await call(SET_SEGMENT, { input: { customerId: buyer, segment: null } });
    expect(await unit(buyer, '5')).toEqual(['10.00', '20.00']);
    const events = await eventsOf(buyer);
    expect(events.map((e) => [e.type, e.data.segment])).toEqual([
      ['comanda.orders.customer_pricing.segment_changed.v1', segment],
      ['comanda.orders.customer_pricing.segment_changed.v1', null],
    ]);
    for (const event of events) expect(catalog.validate(event)).toBeNull();
  });

  it('falls back to default prices when the segment’s list is deleted', async () => {
    const product = await freshProduct(['10.00']);
    const segment = segmentName();
    const list = (await call(CREATE_LIST, { input: { name: 'Temporary', segment } })).createPriceList.priceList;
    await call(SET_PRICES, {
      input: { priceListId: list.id, prices: [{ variantId: product.variants[0]!.id, tiers: [{ minQuantity: '1', unitPrice: '6' }] }] },
    });
    const buyer = await newCustomer();
    await call(SET_SEGMENT, { input: { customerId: buyer, segment } });
    expect((await place({ customerId: buyer, lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] })).order.total.amount).toBe('6.00');
    const deleted = await call(`mutation($id: ID!) { deletePriceList(input: { priceListId: $id }) { deletedId userErrors { code } } }`, {
      id: list.id,
    });
    expect(deleted.deletePriceList.deletedId).toBe(list.id);
    expect((await place({ customerId: buyer, lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] })).order.total.amount).toBe('10.00');
    const customer = await call(`query($id: ID!) { customer(id: $id) { priceSegment priceList { id } } }`, { id: buyer });
    expect(customer.customer).toEqual({ priceSegment: segment, priceList: null });
    expect((await eventsOf(list.id)).map((e) => e.type.split('.')[3])).toEqual(['created', 'updated', 'deleted']);
  });

  it('follows a merge in customers: the survivor takes the merged customer’s segment', async () => {
    const segment = segmentName();
    await call(CREATE_LIST, { input: { name: 'Merge test', segment } });
    const survivor = await newCustomer('Merge Survivor');
    const merged = await newCustomer('Merge Duplicate');
    await call(SET_SEGMENT, { input: { customerId: merged, segment } });
    const res = await call(
      `mutation($s: ID!, $m: ID!) { mergeCustomers(input: { survivorId: $s, mergedId: $m }) { customer { id } userErrors { code message } } }`,
      { s: survivor, m: merged },
    );
    expect(res.mergeCustomers.userErrors).toEqual([]);
    await eventually(
      async () => (await adminQuery('select segment from orders.customer_price_segment where customer_id = $1', [survivor]))[0]?.segment === segment,
    );
    expect(await adminQuery('select segment from orders.customer_price_segment where customer_id = $1', [merged])).toEqual([]);
  });

  it('is set by managers, for a customer id', async () => {
    expect(codes((await call(SET_SEGMENT, { input: { customerId: 'nope', segment: null } })).setCustomerPriceSegment)).toEqual(['UNKNOWN_CUSTOMER']);
    const res = await gql(SET_SEGMENT, { input: { customerId: randomUUID(), segment: null } }, { token: await tokenFor({ role: 'cashier' }) });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('store settings', () => {
  /** A store of its own, so changing its settings does not change other tests' stores. */
  async function ownStore(): Promise<string> {
    const id = randomUUID();
    await adminQuery(
      `insert into orders.store (id, tenant_id, name, currency_code, country_code, timezone, prices_include_vat, order_number_prefix)
       values ($1, $2, 'Settings test store', 'RON', 'RO', 'Europe/Bucharest', true, 'T')`,
      [id, demo.tenantId],
    );
    return id;
  }
  const UPDATE = `mutation($input: UpdateStoreSettingsInput!) { updateStoreSettings(input: $input) { store { id pricesIncludeVat pendingOrderTimeoutMinutes } userErrors { field code } } }`;

  it('switches the price basis for the next orders and sets the pending-order window', async () => {
    const storeId = await ownStore();
    const product = await freshProduct(['100.00']);
    const line = [{ variantId: product.variants[0]!.id, quantity: '1' }];
    const gross = await place({ storeId, lines: line });
    expect(gross.order).toMatchObject({ total: { amount: '100.00' }, taxTotal: { amount: '17.36' } });

    const net = (await call(UPDATE, { input: { storeId, pricesIncludeVat: false, pendingOrderTimeoutMinutes: null } })).updateStoreSettings;
    expect(net.store).toEqual({ id: storeId, pricesIncludeVat: false, pendingOrderTimeoutMinutes: null });
    const after = await place({ storeId, lines: line });
    expect(after.order).toMatchObject({ total: { amount: '121.00' }, taxTotal: { amount: '21.00' } });
    const first = await call(`query($id: ID!) { order(id: $id) { total { amount } pricesIncludeVat } }`, { id: gross.order.id });
    expect(first.order).toEqual({ total: { amount: '100.00' }, pricesIncludeVat: true });

    expect(codes((await call(UPDATE, { input: { storeId, pendingOrderTimeoutMinutes: 0 } })).updateStoreSettings)).toEqual(['INVALID_TIMEOUT']);
    expect((await call(UPDATE, { input: { storeId, pendingOrderTimeoutMinutes: 45 } })).updateStoreSettings.store.pendingOrderTimeoutMinutes).toBe(
      45,
    );
    const events = await eventsOf(storeId);
    expect(events.map((e) => e.data.changed)).toEqual([['pricesIncludeVat', 'pendingOrderTimeoutMinutes'], ['pendingOrderTimeoutMinutes']]);
    for (const event of events) expect(catalog.validate(event)).toBeNull();
    const cashier = await gql(UPDATE, { input: { storeId, pricesIncludeVat: true } }, { token: await tokenFor({ role: 'cashier' }) });
    expect(cashier.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('order notes', () => {
  const NOTE = `mutation($input: AddOrderNoteInput!) { addOrderNote(input: $input) { replayed note { id text author } order { id notes { text } } userErrors { field code } } }`;

  it('appends notes once per key and publishes order.note_added', async () => {
    const product = await freshProduct(['1.00']);
    const sale = await place({ lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] });
    const input = { orderId: sale.order.id, text: ' Customer picks up at 17:00 ', idempotencyKey: key() };
    const first = (await call(NOTE, { input }, 'cashier')).addOrderNote;
    expect(first).toMatchObject({ replayed: false, note: { text: 'Customer picks up at 17:00' }, userErrors: [] });
    const again = (await call(NOTE, { input }, 'cashier')).addOrderNote;
    expect(again).toMatchObject({ replayed: true, note: { id: first.note.id } });
    expect(codes((await call(NOTE, { input: { ...input, text: 'something else' } }, 'cashier')).addOrderNote)).toEqual(['IDEMPOTENCY_CONFLICT']);
    await call(NOTE, { input: { ...input, text: 'Paid by phone', idempotencyKey: key() } }, 'cashier');
    const read = await call(`query($id: ID!) { order(id: $id) { notes { text } } }`, { id: sale.order.id });
    expect(read.order.notes).toEqual([{ text: 'Customer picks up at 17:00' }, { text: 'Paid by phone' }]);
    const events = (await eventsOf(sale.order.id)).filter((e) => e.type.endsWith('note_added.v1'));
    expect(events).toHaveLength(2);
    for (const event of events) expect(catalog.validate(event)).toBeNull();

    expect(codes((await call(NOTE, { input: { ...input, text: ' ', idempotencyKey: key() } }, 'cashier')).addOrderNote)).toEqual(['NOTE_REQUIRED']);
    const otherStore = await call(NOTE, { input: { ...input, idempotencyKey: key() } }, 'cashier', { store: demo.stores[1]!.id });
    expect(codes(otherStore.addOrderNote)).toEqual(['ORDER_NOT_FOUND']);
  });
});

describe('replays keep the first price', () => {
  it('returns the first order under its key even after the price changed', async () => {
    const product = await freshProduct(['10.00']);
    const variant = product.variants[0]!;
    const input = { storeId: pos.id, clientOrderId: key(), channel: 'POS', lines: [{ variantId: variant.id, quantity: '1', unitPrice: '10' }] };
    const first = (await call(PLACE, { input }, 'cashier')).placeOrder;
    await call(`mutation($id: ID!) { updateVariant(input: { variantId: $id, price: "12" }) { userErrors { code } } }`, { id: variant.id });
    const again = (await call(PLACE, { input }, 'cashier')).placeOrder;
    expect(again).toMatchObject({ replayed: true, order: { id: first.order.id, total: { amount: '10.00' } }, userErrors: [] });
  });
});

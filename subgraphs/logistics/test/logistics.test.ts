import { loadKeys } from '@comanda/gateway';
import { type EventEnvelope, type Identity, signIdentity } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, inject, it } from 'vitest';
import { adminQuery, demo, eventually, gql, other, subgraphGql, tokenFor, withSubgraphEm } from '../../../tests/support/client.ts';
import { PLACE_ORDER, pay, placePosOrder } from '../../../tests/support/flows.ts';
import { logistics, orderStock } from '../src/index.ts';
import { seed } from '../src/seed.ts';

const BUCHAREST = demo.stores[0]!;
const CLUJ = demo.stores[1]!;
const ACME = other.stores[0]!;
const VARIANTS = demo.products.flatMap((p) => p.variants);

const logistics$ = (query: string, variables: Record<string, unknown> = {}, identity: Partial<Identity> = {}) =>
  subgraphGql('logistics', query, variables, identity);

const cashierOf = (storeId: string): Partial<Identity> => ({ roles: ['cashier'], storeIds: [storeId] });
const managerOf = (storeId: string): Partial<Identity> => ({ roles: ['manager'], storeIds: [storeId] });
const acme: Partial<Identity> = { tenantId: other.tenantId, roles: ['owner'] };

const MOVEMENT_FIELDS = `replayed
  entries { id kind quantity reason reference note actor location { id name kind store { id } } variant { id } }
  levels { location { id } onHand reserved available }
  userErrors { field message code }`;
const RECEIVE = `mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { ${MOVEMENT_FIELDS} } }`;
const ADJUST = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { ${MOVEMENT_FIELDS} } }`;
const TRANSFER = `mutation($input: TransferStockInput!) { transferStock(input: $input) { ${MOVEMENT_FIELDS} } }`;
const VARIANT_STOCK = `query($r: [_Any!]!, $loc: ID) { _entities(representations: $r) { ... on ProductVariant {
  id all: stockOnHand here: stockOnHand(locationId: $loc) stockLevels { location { id } onHand reserved available } } } }`;

const SHIPMENT_FIELDS = `id status carrier trackingNumber labelPdf codAmount { amount currencyCode } order { id } store { id }
  trackingEvents { status location at } createdAt`;
const CREATE_SHIPMENT = `mutation($input: CreateShipmentInput!) { createShipment(input: $input) { replayed shipment { ${SHIPMENT_FIELDS} } userErrors { field message code } } }`;
const RECORD_TRACKING = `mutation($input: RecordTrackingEventInput!) { recordTrackingEvent(input: $input) { shipment { id status trackingEvents { status location } } userErrors { field message code } } }`;
const REFRESH = `mutation($id: ID!) { refreshTracking(input: { shipmentId: $id }) { shipment { id status trackingEvents { status location } } userErrors { field code } } }`;
const ORDER_FULFILLMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id fulfillmentStatus shipments { id status } } } }`;

type Movement = { replayed: boolean; entries: any[] | null; levels: any[] | null; userErrors: { field: string[]; code: string; message: string }[] };

/** The payload, or the GraphQL errors when there is none (authorization). */
async function move(mutation: string, input: Record<string, unknown>, identity?: Partial<Identity>): Promise<Movement & { errors?: any[] }> {
  const res = await logistics$(mutation, { input: { idempotencyKey: uuidv7(), ...input } }, identity);
  const payload = res.data && Object.values(res.data)[0];
  if (!payload && !res.errors) throw new Error(`no payload: ${JSON.stringify(res)}`);
  return (payload as Movement) ?? res;
}

const codes = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((e) => e.code);

async function stockOf(variantId: string, locationId: string | null = null, identity?: Partial<Identity>) {
  const res = await logistics$(VARIANT_STOCK, { r: [{ __typename: 'ProductVariant', id: variantId }], loc: locationId }, identity);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data._entities[0] as {
    all: string;
    here: string;
    stockLevels: { location: { id: string }; onHand: string; reserved: string; available: string }[];
  };
}

const ledgerCount = async (where: string, params: unknown[]) =>
  (await adminQuery(`select count(*)::int as n from logistics.inventory_ledger where ${where}`, params))[0].n as number;

function orderEvent(type: string, tenantId: string, data: Record<string, unknown>): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: 'orders',
    type: `comanda.orders.order.${type}.v1`,
    subject: String(data.orderId),
    time: new Date().toISOString(),
    tenantid: tenantId,
    storeid: String(data.storeId),
    sequence: 1,
    traceparent: null,
    datacontenttype: 'application/json',
    data,
  };
}

interface KnownOrder {
  orderId: string;
  lines: { lineId: string; variantId: string; quantity: string }[];
}

/** An order logistics has heard of, as if orders had published order.placed (handled like the consumer does). */
async function knownOrder(
  options: { total?: string; storeId?: string; channel?: string; tenantId?: string; lines?: { variantId: string; quantity: string }[] } = {},
): Promise<KnownOrder> {
  const orderId = uuidv7();
  const tenantId = options.tenantId ?? demo.tenantId;
  const lines = (options.lines ?? []).map((l) => ({ lineId: uuidv7(), ...l }));
  const data = {
    orderId,
    storeId: options.storeId ?? BUCHAREST.id,
    channel: options.channel ?? 'WEB',
    status: 'PENDING',
    currency: tenantId === demo.tenantId ? 'RON' : 'EUR',
    total: options.total ?? '150.00',
    lines,
  };
  await withSubgraphEm(logistics, tenantId, (em) => orderStock.handle(em, orderEvent('placed', tenantId, data)));
  return { orderId, lines };
}

const transitionEvent = (orderId: string, to: string, channel = 'WEB', storeId = BUCHAREST.id) =>
  withSubgraphEm(logistics, demo.tenantId, (em) =>
    orderStock.handle(em, orderEvent(to.toLowerCase(), demo.tenantId, { orderId, storeId, channel, from: 'PENDING', to, reason: null })),
  );

async function ship(orderId: string, extra: Record<string, unknown> = {}, identity?: Partial<Identity>) {
  const res = await logistics$(CREATE_SHIPMENT, { input: { orderId, storeId: BUCHAREST.id, idempotencyKey: uuidv7(), ...extra } }, identity);
  if (!res.data?.createShipment && !res.errors) throw new Error(`no payload: ${JSON.stringify(res)}`);
  return res.data?.createShipment ?? res;
}

describe('seed', () => {
  it('gives every store a location holding each variant’s stock, and seeding twice changes nothing', async () => {
    const locations = await adminQuery('select id, tenant_id, store_id, kind from logistics.stock_location where tenant_id = $1 order by id', [
      demo.tenantId,
    ]);
    expect(locations).toEqual(
      demo.stores
        .map((s) => ({ id: s.locationId, tenant_id: demo.tenantId, store_id: s.id, kind: 'STORE' }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
    const seeded = `idempotency_key like 'seed:%' and tenant_id = $1`;
    expect(await ledgerCount(seeded, [demo.tenantId])).toBe(demo.stores.length * VARIANTS.length);
    await withSubgraphEm(logistics, demo.tenantId, (em) => seed(em, demo));
    expect(await ledgerCount(seeded, [demo.tenantId])).toBe(demo.stores.length * VARIANTS.length);
    expect(await adminQuery('select count(*)::int as n from logistics.stock_location where tenant_id = $1', [demo.tenantId])).toEqual([
      { n: demo.stores.length },
    ]);

    const variant = VARIANTS[7]!;
    const stock = await stockOf(variant.id, CLUJ.locationId);
    expect(stock.here).toBe(variant.stock);
    expect(stock.stockLevels.map((l) => l.location.id).sort()).toEqual(demo.stores.map((s) => s.locationId).sort());
  });

  it('shows stockOnHand on the catalog through the gateway, summed over the locations the token may use', async () => {
    const variant = VARIANTS[7]!;
    const query = `query($s: ID!, $b: String!, $loc: ID) { variantByBarcode(storeId: $s, barcode: $b) { sku stockOnHand here: stockOnHand(locationId: $loc) } }`;
    const manager = await gql(query, { s: CLUJ.id, b: variant.barcode, loc: CLUJ.locationId });
    expect(manager.errors).toBeUndefined();
    expect(manager.data.variantByBarcode.here).toBe(variant.stock);
    const all = await stockOf(variant.id);
    expect(manager.data.variantByBarcode.stockOnHand).toBe(all.all);
    const cashier = await gql(query, { s: CLUJ.id, b: variant.barcode, loc: null }, { token: await tokenFor({ role: 'cashier', store: CLUJ.id }) });
    expect(cashier.data.variantByBarcode.stockOnHand).toBe(all.stockLevels.find((l) => l.location.id === CLUJ.locationId)!.onHand);
  });
});

describe('receiving and adjusting stock', () => {
  it('receives, replays the same request, and refuses a different one under the key', async () => {
    const variantId = uuidv7();
    const input = { locationId: BUCHAREST.locationId, variantId, quantity: '10', idempotencyKey: `rcv-${variantId}`, reference: 'DN-1' };
    const first = await move(RECEIVE, input);
    expect(first.userErrors).toEqual([]);
    expect(first).toMatchObject({
      replayed: false,
      entries: [
        {
          kind: 'RECEIPT',
          quantity: '10',
          reference: 'DN-1',
          reason: null,
          actor: 'test',
          location: { id: BUCHAREST.locationId, kind: 'STORE', store: { id: BUCHAREST.id } },
          variant: { id: variantId },
        },
      ],
      levels: [{ location: { id: BUCHAREST.locationId }, onHand: '10', reserved: '0', available: '10' }],
    });
    const again = await move(RECEIVE, { ...input, quantity: '10.000' });
    expect(again).toMatchObject({ replayed: true, entries: [{ id: first.entries![0].id }], userErrors: [] });
    const conflict = await move(RECEIVE, { ...input, quantity: '11' });
    expect(conflict).toEqual({
      replayed: false,
      entries: null,
      levels: null,
      userErrors: [expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' })],
    });
    expect(await ledgerCount('variant_id = $1', [variantId])).toBe(1);
    expect((await stockOf(variantId)).all).toBe('10');
  });

  it('adjusts with a reason, never below zero on hand, and publishes every entry with the figures after it', async () => {
    const variantId = uuidv7();
    const at = { locationId: BUCHAREST.locationId, variantId };
    await move(RECEIVE, { ...at, quantity: '10' });
    const damaged = await move(ADJUST, { ...at, quantity: '-4', reason: 'DAMAGED', note: 'dropped' });
    expect(damaged).toMatchObject({
      entries: [{ kind: 'ADJUSTMENT', quantity: '-4', reason: 'DAMAGED', note: 'dropped' }],
      levels: [{ onHand: '6' }],
    });
    const tooMuch = await move(ADJUST, { ...at, quantity: '-6.001', reason: 'LOST' });
    expect(tooMuch.userErrors).toEqual([
      { code: 'INSUFFICIENT_STOCK', field: ['input', 'quantity'], message: 'cannot take 6.001: only 6 on hand at the location' },
    ]);
    const found = await move(ADJUST, { ...at, quantity: '0.5', reason: 'FOUND' });
    expect(found.levels).toEqual([{ location: { id: BUCHAREST.locationId }, onHand: '6.5', reserved: '0', available: '6.5' }]);
    const gone = await move(ADJUST, { ...at, quantity: '-6.5', reason: 'STOCKTAKE' });
    expect(gone.levels![0].onHand).toBe('0');
    expect(await ledgerCount('variant_id = $1', [variantId])).toBe(4);

    const events = await adminQuery(
      `select type, aggregate_id, store_id, sequence, data from logistics.outbox where data->>'variantId' = $1 order by position`,
      [variantId],
    );
    expect(events.map((e) => [e.type, e.sequence, e.data.quantity, e.data.onHand])).toEqual([
      ['comanda.logistics.stock.received.v1', '1', '10', '10'],
      ['comanda.logistics.stock.adjusted.v1', '2', '-4', '6'],
      ['comanda.logistics.stock.adjusted.v1', '3', '0.5', '6.5'],
      ['comanda.logistics.stock.adjusted.v1', '4', '-6.5', '0'],
    ]);
    expect(events[1]).toMatchObject({
      aggregate_id: `${BUCHAREST.locationId}:${variantId}`,
      store_id: BUCHAREST.id,
      data: { reason: 'DAMAGED', actor: 'test' },
    });
  });

  it('serializes concurrent takes: 5 parallel adjustments of -30 against 100 on hand, exactly 3 succeed', async () => {
    const variantId = uuidv7();
    const at = { locationId: CLUJ.locationId, variantId };
    await move(RECEIVE, { ...at, quantity: '100' });
    const results = await Promise.all(Array.from({ length: 5 }, () => move(ADJUST, { ...at, quantity: '-30', reason: 'STOCKTAKE' })));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(3);
    expect(results.filter((r) => codes(r)[0] === 'INSUFFICIENT_STOCK')).toHaveLength(2);
    expect((await stockOf(variantId, CLUJ.locationId)).here).toBe('10');
  });

  it('writes one entry for concurrent identical requests', async () => {
    const variantId = uuidv7();
    const input = { locationId: CLUJ.locationId, variantId, quantity: '3', idempotencyKey: `same-${variantId}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => move(RECEIVE, input)));
    expect(results.every((r) => r.userErrors.length === 0)).toBe(true);
    expect(new Set(results.map((r) => r.entries![0].id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await ledgerCount('variant_id = $1', [variantId])).toBe(1);
  });

  it('reports bad input with stable codes and writes nothing', async () => {
    const variantId = uuidv7();
    const bad = await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId, quantity: '0', note: 'n'.repeat(501) });
    expect(codes(bad).sort()).toEqual(['INVALID_QUANTITY', 'NOTE_TOO_LONG']);
    expect(codes(await move(RECEIVE, { locationId: uuidv7(), variantId, quantity: '1' }))).toEqual(['LOCATION_NOT_FOUND']);
    expect(codes(await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId: 'sku-1', quantity: '1' }))).toEqual(['INVALID_VARIANT_ID']);
    expect(codes(await move(ADJUST, { locationId: BUCHAREST.locationId, variantId, quantity: '0', reason: 'FOUND' }))).toEqual(['INVALID_QUANTITY']);
    // another store's location is unknown to a store-bound manager, another tenant's to everyone
    expect(codes(await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId, quantity: '1' }, managerOf(CLUJ.id)))).toEqual([
      'LOCATION_NOT_FOUND',
    ]);
    expect(codes(await move(RECEIVE, { locationId: ACME.locationId, variantId, quantity: '1' }))).toEqual(['LOCATION_NOT_FOUND']);
    expect(await ledgerCount('variant_id = $1', [variantId])).toBe(0);
    expect(await adminQuery(`select 1 from logistics.outbox where data->>'variantId' = $1`, [variantId])).toEqual([]);
  });

  it('is for owners and managers: a cashier is FORBIDDEN', async () => {
    const res = await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId: uuidv7(), quantity: '1' }, cashierOf(BUCHAREST.id));
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('transfers', () => {
  it('moves what is available between locations in one movement, and never reserved goods', async () => {
    const variantId = uuidv7();
    await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId, quantity: '10' });
    await knownOrder({ lines: [{ variantId, quantity: '4' }] });
    const input = { fromLocationId: BUCHAREST.locationId, toLocationId: CLUJ.locationId, variantId };
    const refused = await move(TRANSFER, { ...input, quantity: '7' });
    expect(refused.userErrors).toEqual([
      {
        code: 'INSUFFICIENT_STOCK',
        field: ['input', 'quantity'],
        message: 'cannot take 7: only 6 available (on hand and not reserved) at the location',
      },
    ]);
    const moved = await move(TRANSFER, { ...input, quantity: '6', note: 'restock Cluj' });
    expect(moved.entries!.map((e) => [e.kind, e.location.id, e.quantity])).toEqual([
      ['TRANSFER_OUT', BUCHAREST.locationId, '-6'],
      ['TRANSFER_IN', CLUJ.locationId, '6'],
    ]);
    expect(moved.levels!.map((l) => [l.location.id, l.onHand, l.reserved, l.available]).sort()).toEqual(
      [
        [BUCHAREST.locationId, '4', '4', '0'],
        [CLUJ.locationId, '6', '0', '6'],
      ].sort(),
    );
    const movements = await adminQuery(
      'select count(distinct movement_id)::int as n from logistics.inventory_ledger where variant_id = $1 and kind like $2',
      [variantId, 'TRANSFER%'],
    );
    expect(movements).toEqual([{ n: 1 }]);
    expect(codes(await move(TRANSFER, { ...input, toLocationId: BUCHAREST.locationId, quantity: '1' }))).toEqual(['SAME_LOCATION']);
  });
});

describe('the ledger is append-only', () => {
  it('the runtime role may not update or delete entries, and a trigger refuses everyone else', async () => {
    const variantId = uuidv7();
    await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId, quantity: '5' });
    await expect(
      withSubgraphEm(logistics, demo.tenantId, (em) => em.execute('update inventory_ledger set quantity = 50 where variant_id = ?', [variantId])),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withSubgraphEm(logistics, demo.tenantId, (em) => em.execute('delete from inventory_ledger where variant_id = ?', [variantId])),
    ).rejects.toThrow(/permission denied/);
    await expect(adminQuery('update logistics.inventory_ledger set quantity = 50 where variant_id = $1', [variantId])).rejects.toThrow(/append-only/);
    await expect(adminQuery('delete from logistics.inventory_ledger where variant_id = $1', [variantId])).rejects.toThrow(/append-only/);
    expect((await stockOf(variantId)).all).toBe('5');
  });
});

describe("stock reservations from orders' events", () => {
  const reservations = (orderId: string) =>
    adminQuery('select variant_id, location_id, quantity::text, state from logistics.stock_reservation where order_id = $1 order by created_at, id', [
      orderId,
    ]);

  it('holds stock when an order is placed, once however often the event comes', async () => {
    const variantId = uuidv7();
    await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId, quantity: '5' });
    const order = await knownOrder({
      lines: [
        { variantId, quantity: '2' },
        { variantId, quantity: '4.5' },
      ],
    });
    // a second delivery of order.placed (another event id) finds the order known
    const data = {
      orderId: order.orderId,
      storeId: BUCHAREST.id,
      channel: 'WEB',
      status: 'PENDING',
      currency: 'RON',
      total: '1.00',
      lines: order.lines,
    };
    await withSubgraphEm(logistics, demo.tenantId, (em) => orderStock.handle(em, orderEvent('placed', demo.tenantId, data)));
    expect(await reservations(order.orderId)).toEqual([
      { variant_id: variantId, location_id: BUCHAREST.locationId, quantity: '2.0000', state: 'HELD' },
      { variant_id: variantId, location_id: BUCHAREST.locationId, quantity: '4.5000', state: 'HELD' },
    ]);
    const level = (await stockOf(variantId)).stockLevels.find((l) => l.location.id === BUCHAREST.locationId);
    expect(level).toMatchObject({ onHand: '5', reserved: '6.5', available: '-1.5' });
    const [held] = await adminQuery(`select data from logistics.outbox where type = 'comanda.logistics.reservation.held.v1' and aggregate_id = $1`, [
      order.orderId,
    ]);
    expect(held.data).toMatchObject({
      orderId: order.orderId,
      locationId: BUCHAREST.locationId,
      shortages: [{ variantId, requested: '6.5', available: '5' }],
    });
  });

  it('a real POS sale: held when placed, sold (SALE entries) when paid and confirmed, FULFILLED; a later cancellation puts the goods back', async () => {
    const variant = VARIANTS[30]!;
    const order = await placePosOrder({ lines: [{ variantId: variant.id, quantity: '2' }] });
    await eventually(async () => (await reservations(order.id)).length === 1);
    expect(await reservations(order.id)).toEqual([{ variant_id: variant.id, location_id: BUCHAREST.locationId, quantity: '2.0000', state: 'HELD' }]);

    await pay(order.id, order.total.amount, 'CASH');
    await eventually(async () => (await reservations(order.id))[0]?.state === 'CONSUMED');
    const sale = await adminQuery('select kind, quantity::text, reference, actor from logistics.inventory_ledger where reference = $1', [order.id]);
    expect(sale).toEqual([{ kind: 'SALE', quantity: '-2.0000', reference: order.id, actor: 'system:orders' }]);
    const status = await gql('query($id: ID!) { order(id: $id) { status fulfillmentStatus shipments { id } } }', { id: order.id });
    expect(status.data.order).toEqual({ status: 'CONFIRMED', fulfillmentStatus: 'FULFILLED', shipments: [] });

    await gql('mutation($i: TransitionOrderInput!) { transitionOrder(input: $i) { userErrors { code } } }', {
      i: { orderId: order.id, to: 'CANCELLED', reason: 'customer brought it back' },
    });
    await eventually(async () => (await ledgerCount(`reference = $1 and kind = 'RETURN'`, [order.id])) === 1);
    expect(
      new Set((await adminQuery('select movement_id from logistics.inventory_ledger where reference = $1', [order.id])).map((r) => r.movement_id))
        .size,
    ).toBe(2);
    // other tests may sell this variant too: compare only what this order moved
    const moved = await adminQuery(`select coalesce(sum(quantity), 0)::text as n from logistics.inventory_ledger where reference = $1`, [order.id]);
    expect(moved).toEqual([{ n: '0.0000' }]);
  });

  it('releases held stock when an order is cancelled', async () => {
    const variantId = uuidv7();
    const order = await knownOrder({ lines: [{ variantId, quantity: '3' }] });
    await transitionEvent(order.orderId, 'CANCELLED');
    expect((await reservations(order.orderId)).map((r) => r.state)).toEqual(['RELEASED']);
    expect((await stockOf(variantId)).stockLevels.find((l) => l.location.id === BUCHAREST.locationId)).toMatchObject({ reserved: '0' });
    const types = await adminQuery('select type from logistics.outbox where aggregate_id = $1 order by position', [order.orderId]);
    expect(types.map((t) => t.type)).toEqual(['comanda.logistics.reservation.held.v1', 'comanda.logistics.reservation.released.v1']);
    expect(await ledgerCount('variant_id = $1', [variantId])).toBe(0);
  });

  it('a WEB order is sold when completed, not when confirmed', async () => {
    const variantId = uuidv7();
    const order = await knownOrder({ lines: [{ variantId, quantity: '1' }] });
    await transitionEvent(order.orderId, 'CONFIRMED');
    expect((await reservations(order.orderId)).map((r) => r.state)).toEqual(['HELD']);
    await transitionEvent(order.orderId, 'COMPLETED');
    expect((await reservations(order.orderId)).map((r) => r.state)).toEqual(['CONSUMED']);
    expect(await ledgerCount(`variant_id = $1 and kind = 'SALE'`, [variantId])).toBe(1);
  });
});

describe('shipments', () => {
  it('books with the sandbox carrier: AWB, PDF label, COD, tracking from CREATED; a replay returns it, a different body conflicts', async () => {
    const { orderId } = await knownOrder({ total: '150.00' });
    const input = { orderId, storeId: BUCHAREST.id, codAmount: '150', idempotencyKey: `ship-${orderId}` };
    const first = await ship(orderId, input);
    expect(first.userErrors).toEqual([]);
    const shipment = first.shipment;
    expect(shipment).toMatchObject({
      status: 'LABEL_PURCHASED',
      carrier: 'sandbox',
      codAmount: { amount: '150.00', currencyCode: 'RON' },
      order: { id: orderId },
      store: { id: BUCHAREST.id },
    });
    expect(shipment.trackingNumber).toMatch(/^SBX\d{10}$/);
    expect(Buffer.from(shipment.labelPdf, 'base64').toString('ascii')).toContain(`(AWB ${shipment.trackingNumber})`);
    expect(shipment.trackingEvents.map((e: { status: string }) => e.status)).toEqual(['CREATED', 'LABEL_PURCHASED']);

    const again = await ship(orderId, { ...input, codAmount: '150.00' });
    expect(again).toMatchObject({ replayed: true, shipment: { id: shipment.id, trackingNumber: shipment.trackingNumber } });
    const conflict = await ship(orderId, { ...input, codAmount: '100' });
    expect(conflict).toMatchObject({ replayed: false, shipment: null, userErrors: [{ code: 'IDEMPOTENCY_CONFLICT' }] });

    const [created] = await adminQuery('select type, store_id, data from logistics.outbox where aggregate_id = $1 order by position', [shipment.id]);
    expect(created).toMatchObject({
      type: 'comanda.logistics.shipment.created.v1',
      store_id: BUCHAREST.id,
      data: {
        shipmentId: shipment.id,
        orderId,
        status: 'LABEL_PURCHASED',
        codAmount: '150.00',
        currency: 'RON',
        trackingNumber: shipment.trackingNumber,
      },
    });
  });

  it('creates one shipment for concurrent identical requests', async () => {
    const { orderId } = await knownOrder();
    const input = { orderId, idempotencyKey: `twins-${orderId}` };
    const results = await Promise.all(Array.from({ length: 6 }, () => ship(orderId, input)));
    expect(results.every((r) => r.userErrors.length === 0)).toBe(true);
    expect(new Set(results.map((r) => r.shipment.id)).size).toBe(1);
    expect(await adminQuery('select count(*)::int as n from logistics.shipment where order_id = $1', [orderId])).toEqual([{ n: 1 }]);
  });

  it('refuses what cannot be shipped, and writes nothing when the carrier fails', async () => {
    const { orderId } = await knownOrder({ total: '80.00' });
    expect(codes(await ship(uuidv7()))).toEqual(['ORDER_NOT_FOUND']);
    expect(codes(await ship(orderId, { storeId: CLUJ.id }))).toEqual(['ORDER_NOT_FOUND']);
    expect(codes(await ship(orderId, { codAmount: '80.01' }))).toEqual(['COD_EXCEEDS_ORDER_TOTAL']);
    expect(codes(await ship(orderId, { carrier: 'pigeon', codAmount: '-1', idempotencyKey: '' })).sort()).toEqual(
      ['INVALID_AMOUNT', 'INVALID_IDEMPOTENCY_KEY', 'UNKNOWN_CARRIER'].sort(),
    );
    expect(await ship(orderId, { codAmount: '10.53' })).toMatchObject({
      shipment: null,
      userErrors: [{ code: 'CARRIER_UNAVAILABLE', field: ['input', 'carrier'] }],
    });
    expect(codes(await ship(orderId, { codAmount: '10.51' }))).toEqual(['CARRIER_REJECTED']);
    expect(await adminQuery('select count(*)::int as n from logistics.shipment where order_id = $1', [orderId])).toEqual([{ n: 0 }]);
    expect(await adminQuery(`select 1 from logistics.outbox where data->>'orderId' = $1 and aggregate_type = 'shipment'`, [orderId])).toEqual([]);

    await transitionEvent(orderId, 'CANCELLED');
    expect(codes(await ship(orderId))).toEqual(['ORDER_CANCELLED']);
    expect((await ship(orderId, {}, cashierOf(BUCHAREST.id))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ship(orderId, {}, managerOf(CLUJ.id))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('follows the carrier to DELIVERED: fulfillment, shipments in transit and one event per status', async () => {
    const { orderId } = await knownOrder({ total: '99.00' });
    const { shipment } = await ship(orderId, { codAmount: '99' });
    const fulfillment = async () => (await logistics$(ORDER_FULFILLMENT, { r: [{ __typename: 'Order', id: orderId }] })).data._entities[0];
    const inTransit = async () =>
      (
        await logistics$('query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { shipmentsInTransit } } }', {
          r: [{ __typename: 'StoreMetrics', storeId: BUCHAREST.id }],
        })
      ).data._entities[0].shipmentsInTransit as number;

    expect(await fulfillment()).toEqual({ id: orderId, fulfillmentStatus: 'FULFILLED', shipments: [{ id: shipment.id, status: 'LABEL_PURCHASED' }] });
    const idle = await inTransit();
    const statuses: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await logistics$(REFRESH, { id: shipment.id });
      expect(res.data.refreshTracking.userErrors).toEqual([]);
      statuses.push(res.data.refreshTracking.shipment.status);
      if (i === 0) {
        expect((await fulfillment()).fulfillmentStatus).toBe('SHIPPED');
        expect(await inTransit()).toBe(idle + 1);
      }
    }
    expect(statuses).toEqual(['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED']);
    expect((await fulfillment()).fulfillmentStatus).toBe('DELIVERED');
    expect(await inTransit()).toBe(idle);
    // asking again brings nothing new and changes nothing
    const last = await logistics$(REFRESH, { id: shipment.id });
    expect(last.data.refreshTracking.shipment.trackingEvents.map((e: { status: string }) => e.status)).toEqual([
      'CREATED',
      'LABEL_PURCHASED',
      'PICKED_UP',
      'IN_TRANSIT',
      'OUT_FOR_DELIVERY',
      'DELIVERED',
    ]);
    const events = await adminQuery('select type, data from logistics.outbox where aggregate_id = $1 order by position', [shipment.id]);
    expect(events.map((e) => e.type.replace('comanda.logistics.shipment.', ''))).toEqual([
      'created.v1',
      'picked_up.v1',
      'in_transit.v1',
      'out_for_delivery.v1',
      'delivered.v1',
    ]);
    expect(events.at(-1).data).toMatchObject({ orderId, from: 'OUT_FOR_DELIVERY', status: 'DELIVERED', codAmount: '99.00', location: 'Recipient' });
  });

  it('a failed delivery goes back to the sender: RETURNED', async () => {
    const { orderId } = await knownOrder();
    const { shipment } = await ship(orderId, { codAmount: '20.55' });
    for (let i = 0; i < 5; i++) await logistics$(REFRESH, { id: shipment.id });
    expect((await logistics$(ORDER_FULFILLMENT, { r: [{ __typename: 'Order', id: orderId }] })).data._entities[0]).toMatchObject({
      fulfillmentStatus: 'RETURNED',
      shipments: [{ status: 'RETURNED' }],
    });
  });

  it('records what staff saw, along the state machine only; the same status twice is a no-op', async () => {
    const { orderId } = await knownOrder();
    const { shipment } = await ship(orderId);
    const record = async (status: string, extra: Record<string, unknown> = {}, identity?: Partial<Identity>) =>
      (await logistics$(RECORD_TRACKING, { input: { shipmentId: shipment.id, status, ...extra } }, identity)).data?.recordTrackingEvent;
    expect(await record('DELIVERED')).toMatchObject({ shipment: null, userErrors: [{ code: 'INVALID_TRANSITION', field: ['input', 'status'] }] });
    expect(await record('PICKED_UP', { location: 'Counter' })).toMatchObject({ shipment: { status: 'PICKED_UP' }, userErrors: [] });
    expect((await record('PICKED_UP')).shipment.trackingEvents).toHaveLength(3);
    expect(await record('DELIVERED', { location: 'Customer door', at: new Date(Date.now() + 3_600_000).toISOString() })).toMatchObject({
      userErrors: [{ code: 'INVALID_EVENT_TIME' }],
    });
    expect(await record('DELIVERED', { location: 'Customer door' })).toMatchObject({ shipment: { status: 'DELIVERED' } });
    expect(
      (await logistics$(RECORD_TRACKING, { input: { shipmentId: uuidv7(), status: 'DELIVERED' } })).data.recordTrackingEvent.userErrors[0].code,
    ).toBe('SHIPMENT_NOT_FOUND');
    expect(
      (await logistics$(RECORD_TRACKING, { input: { shipmentId: shipment.id, status: 'RETURNED' } }, managerOf(CLUJ.id))).data.recordTrackingEvent,
    ).toMatchObject({
      userErrors: [{ code: 'SHIPMENT_NOT_FOUND' }],
    });
    const types = await adminQuery('select type from logistics.outbox where aggregate_id = $1 order by position', [shipment.id]);
    expect(types.map((t) => t.type)).toEqual([
      'comanda.logistics.shipment.created.v1',
      'comanda.logistics.shipment.picked_up.v1',
      'comanda.logistics.shipment.delivered.v1',
    ]);
  });

  it('cancelled before pickup: the carrier voids the label, tracking stops, the order is unfulfilled again', async () => {
    const { orderId } = await knownOrder();
    const { shipment } = await ship(orderId);
    const res = await logistics$(RECORD_TRACKING, { input: { shipmentId: shipment.id, status: 'CANCELLED', location: 'Back office' } });
    expect(res.data.recordTrackingEvent).toMatchObject({ shipment: { status: 'CANCELLED' }, userErrors: [] });
    const refreshed = await logistics$(REFRESH, { id: shipment.id });
    expect(refreshed.data.refreshTracking.shipment.trackingEvents.map((e: { status: string }) => e.status)).toEqual([
      'CREATED',
      'LABEL_PURCHASED',
      'CANCELLED',
    ]);
    expect((await logistics$(ORDER_FULFILLMENT, { r: [{ __typename: 'Order', id: orderId }] })).data._entities[0]).toMatchObject({
      fulfillmentStatus: 'UNFULFILLED',
      shipments: [{ status: 'CANCELLED' }],
    });
    expect(codes((await logistics$(RECORD_TRACKING, { input: { shipmentId: shipment.id, status: 'PICKED_UP' } })).data.recordTrackingEvent)).toEqual([
      'INVALID_TRANSITION',
    ]);
  });

  it('end to end: a WEB order shipped with COD is completed by its delivery, and its stock is sold then', async () => {
    const variant = VARIANTS[40]!;
    const placed = await gql(PLACE_ORDER, {
      input: { storeId: BUCHAREST.id, clientOrderId: uuidv7(), channel: 'WEB', lines: [{ variantId: variant.id, quantity: '1' }] },
    });
    const order = placed.data.placeOrder.order;
    const created = await eventually(async () => {
      const res = await gql(CREATE_SHIPMENT, {
        input: { orderId: order.id, storeId: BUCHAREST.id, codAmount: order.total.amount, idempotencyKey: `e2e-${order.id}` },
      });
      const payload = res.data?.createShipment;
      return payload?.userErrors[0]?.code === 'ORDER_NOT_FOUND' ? null : payload;
    });
    expect(created.userErrors).toEqual([]);
    const shipmentId = created.shipment.id;
    for (let i = 0; i < 4; i++) await gql(REFRESH, { id: shipmentId });

    const done = await eventually(async () => {
      const res = await gql(
        `query($id: ID!, $s: ID!) { order(id: $id) { status fulfillmentStatus shipments { status codAmount { amount } trackingNumber } }
           shipment(id: $s) { status order { number } } }`,
        { id: order.id, s: shipmentId },
      );
      return res.data?.order?.status === 'COMPLETED' ? res.data : null;
    }, 15_000);
    expect(done.order).toMatchObject({
      fulfillmentStatus: 'DELIVERED',
      shipments: [{ status: 'DELIVERED', codAmount: { amount: order.total.amount } }],
    });
    expect(done.shipment).toEqual({ status: 'DELIVERED', order: { number: order.number } });
    await eventually(async () => (await ledgerCount(`reference = $1 and kind = 'SALE'`, [order.id])) === 1);
  });
});

describe('store metrics and reads through the gateway', () => {
  it('answers shipmentsInTransit for the dashboard and refuses a store outside the token', async () => {
    const res = await gql('query($s: ID!) { storeMetrics(storeId: $s) { storeId ordersToday shipmentsInTransit } }', { s: BUCHAREST.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.storeMetrics.shipmentsInTransit).toBeGreaterThanOrEqual(0);
    const direct = await logistics$(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { shipmentsInTransit } } }',
      { r: [{ __typename: 'StoreMetrics', storeId: BUCHAREST.id }] },
      cashierOf(CLUJ.id),
    );
    expect(direct.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists the locations a token may use and a location’s ledger, newest first, page by page', async () => {
    const all = await logistics$('{ stockLocations { id name kind store { id } } }');
    expect(all.data.stockLocations.map((l: { id: string }) => l.id).sort()).toEqual(demo.stores.map((s) => s.locationId).sort());
    const scoped = await logistics$('{ stockLocations { id } }', {}, cashierOf(CLUJ.id));
    expect(scoped.data.stockLocations).toEqual([{ id: CLUJ.locationId }]);
    expect(
      (await logistics$('query($s: ID) { stockLocations(storeId: $s) { id } }', { s: BUCHAREST.id }, cashierOf(CLUJ.id))).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');

    const variantId = uuidv7();
    for (const quantity of ['1', '2', '3']) await move(RECEIVE, { locationId: CLUJ.locationId, variantId, quantity });
    const page = `query($l: ID!, $v: ID, $after: String) { stockMovements(locationId: $l, variantId: $v, first: 2, after: $after) {
      nodes { quantity kind } pageInfo { hasNextPage endCursor } } }`;
    const first = (await logistics$(page, { l: CLUJ.locationId, v: variantId })).data.stockMovements;
    expect(first.nodes.map((n: { quantity: string }) => n.quantity)).toEqual(['3', '2']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await logistics$(page, { l: CLUJ.locationId, v: variantId, after: first.pageInfo.endCursor })).data.stockMovements;
    expect(second).toEqual({ nodes: [{ quantity: '1', kind: 'RECEIPT' }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
    const badCursor = await logistics$(page, { l: CLUJ.locationId, v: variantId, after: 'nope' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
    expect((await logistics$(page, { l: CLUJ.locationId, v: variantId }, cashierOf(BUCHAREST.id))).data.stockMovements.nodes).toEqual([]);
  });
});

describe('tenant isolation', () => {
  it('another tenant sees none of this tenant’s stock, locations, orders or shipments, also through _entities', async () => {
    const variantId = uuidv7();
    await move(RECEIVE, { locationId: BUCHAREST.locationId, variantId, quantity: '7' });
    const { orderId } = await knownOrder();
    const { shipment } = await ship(orderId);

    const asAcme = await stockOf(variantId, BUCHAREST.locationId, acme);
    expect(asAcme).toMatchObject({ all: '0', here: '0' });
    expect(asAcme.stockLevels.map((l) => l.location.id)).toEqual([ACME.locationId]);
    expect((await stockOf(variantId, BUCHAREST.locationId)).here).toBe('7');

    const entities = await logistics$(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Shipment { id } ... on Order { id fulfillmentStatus shipments { id } } ... on StockLocation { id } } }`,
      {
        r: [
          { __typename: 'Shipment', id: shipment.id },
          { __typename: 'Order', id: orderId },
          { __typename: 'StockLocation', id: BUCHAREST.locationId },
        ],
      },
      acme,
    );
    expect(entities.data._entities).toEqual([null, { id: orderId, fulfillmentStatus: 'UNFULFILLED', shipments: [] }, null]);
    expect((await logistics$('query($id: ID!) { shipment(id: $id) { id } }', { id: shipment.id }, acme)).data.shipment).toBeNull();
    expect((await logistics$('{ stockLocations { id } }', {}, acme)).data.stockLocations).toEqual([{ id: ACME.locationId }]);

    const tokenB = await tokenFor({ role: 'owner', tenant: other.tenantId });
    expect((await gql('query($id: ID!) { shipment(id: $id) { id } }', { id: shipment.id }, { token: tokenB })).data.shipment).toBeNull();
    expect((await gql('query($id: ID!) { shipment(id: $id) { id status } }', { id: shipment.id })).data.shipment).toEqual({
      id: shipment.id,
      status: 'LABEL_PURCHASED',
    });
  });

  it('a store-bound token may not read another store’s location, and does not see its shipments', async () => {
    const { orderId } = await knownOrder();
    const { shipment } = await ship(orderId);
    const res = await logistics$(
      VARIANT_STOCK,
      { r: [{ __typename: 'ProductVariant', id: VARIANTS[7]!.id }], loc: BUCHAREST.locationId },
      cashierOf(CLUJ.id),
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const mine = await stockOf(VARIANTS[7]!.id, null, cashierOf(CLUJ.id));
    expect(mine.stockLevels.map((l) => l.location.id)).toEqual([CLUJ.locationId]);
    expect((await logistics$('query($id: ID!) { shipment(id: $id) { id } }', { id: shipment.id }, cashierOf(CLUJ.id))).data.shipment).toBeNull();
    const order = await logistics$(ORDER_FULFILLMENT, { r: [{ __typename: 'Order', id: orderId }] }, cashierOf(CLUJ.id));
    expect(order.data._entities[0]).toEqual({ id: orderId, fulfillmentStatus: 'UNFULFILLED', shipments: [] });
  });
});

describe('batching', () => {
  /** Straight to the stack's logistics subgraph under a known request id; returns its statement count. */
  async function countStatements(query: string, variables: Record<string, unknown>) {
    const secret = (await loadKeys(inject('keysDir'))).internalSecret;
    const identity = await signIdentity({ tenantId: demo.tenantId, userId: 'batching', roles: ['manager'], storeIds: null, printerId: null }, secret);
    const url = inject('subgraphUrls').logistics!;
    const requestId = `batching-${uuidv7()}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-comanda-identity': identity, 'x-request-id': requestId },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    const counted = (await (await fetch(new URL(`/debug/sql?requestId=${requestId}`, url))).json()) as { statements: number | null };
    expect(counted.statements).toBeGreaterThan(0);
    return { body, statements: counted.statements! };
  }

  it('runs as many statements for 100 variants as for 10', async () => {
    const ids = [...VARIANTS.map((v) => v.id), ...Array.from({ length: 100 }, () => uuidv7())].slice(0, 100);
    const query = `query($r: [_Any!]!, $loc: ID) { _entities(representations: $r) { ... on ProductVariant {
      stockOnHand here: stockOnHand(locationId: $loc) stockLevels { location { name store { id } } onHand available } } } }`;
    const run = (n: number) =>
      countStatements(query, { r: ids.slice(0, n).map((id) => ({ __typename: 'ProductVariant', id })), loc: CLUJ.locationId });
    const ten = await run(10);
    const hundred = await run(100);
    expect(hundred.body.data._entities).toHaveLength(100);
    expect(hundred.body.data._entities[7].here).toBe(VARIANTS[7]!.stock);
    expect(hundred.body.data._entities[99]).toMatchObject({ stockOnHand: '0', here: '0' });
    expect(hundred.statements).toBe(ten.statements);
  });

  it('runs as many statements for the shipments of 100 orders as for 10', async () => {
    const shipped: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { orderId } = await knownOrder();
      await ship(orderId);
      shipped.push(orderId);
    }
    const ids = [...shipped, ...Array.from({ length: 97 }, () => uuidv7())];
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order {
      fulfillmentStatus shipments { status codAmount { amount } trackingEvents { status at } } } } }`;
    const run = (n: number) => countStatements(query, { r: ids.slice(0, n).map((id) => ({ __typename: 'Order', id })) });
    const ten = await run(10);
    const hundred = await run(100);
    expect(ten.body.data._entities.slice(0, 3).map((o: { fulfillmentStatus: string }) => o.fulfillmentStatus)).toEqual([
      'FULFILLED',
      'FULFILLED',
      'FULFILLED',
    ]);
    expect(hundred.statements).toBe(ten.statements);
  });
});

import { randomUUID } from 'node:crypto';
import { toEnvelope } from '@comanda/kafka';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, it } from 'vitest';
import { adminQuery, gql, tokenFor } from '../../../tests/support/client.ts';
import { call, codes, freshProduct, key, PLACE, place, pos } from './support.ts';

const catalog = loadEventCatalog();

const PROMOTION_FIELDS = 'id code name kind value minOrderAmount maxDiscount validFrom validUntil usageLimit timesUsed stackable active';
const CREATE = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { replayed promotion { ${PROMOTION_FIELDS} } userErrors { field code message } } }`;
const UPDATE = `mutation($input: UpdatePromotionInput!) { updatePromotion(input: $input) { promotion { ${PROMOTION_FIELDS} } userErrors { field code message } } }`;
const TRANSITION = `mutation($input: TransitionOrderInput!) { transitionOrder(input: $input) { order { status promotions { released } } userErrors { code } } }`;

const code = (prefix = 'P') => `${prefix}${randomUUID().slice(0, 8)}`.toUpperCase();

async function promotion(input: Record<string, unknown>) {
  const data = await call(CREATE, { input: { code: code(), name: 'Test promotion', kind: 'PERCENTAGE', value: '10', ...input } });
  expect(data.createPromotion.userErrors).toEqual([]);
  return data.createPromotion.promotion;
}

async function timesUsed(id: string): Promise<number> {
  return (await call(`query($id: ID!) { promotion(id: $id) { timesUsed } }`, { id })).promotion.timesUsed;
}

describe('editing promotions', () => {
  it('creates one per code, replays the same create and refuses another under the code', async () => {
    const c = code();
    const input = { code: c.toLowerCase(), name: 'Spring', kind: 'PERCENTAGE', value: '15.00', maxDiscount: '50', usageLimit: 100 };
    const first = (await call(CREATE, { input })).createPromotion;
    expect(first).toMatchObject({
      replayed: false,
      promotion: {
        code: c,
        kind: 'PERCENTAGE',
        value: '15',
        maxDiscount: '50',
        minOrderAmount: null,
        usageLimit: 100,
        timesUsed: 0,
        stackable: false,
        active: true,
      },
    });
    expect((await call(CREATE, { input: { ...input, value: '15' } })).createPromotion).toMatchObject({
      replayed: true,
      promotion: { id: first.promotion.id },
    });
    expect((await call(CREATE, { input: { ...input, value: '20' } })).createPromotion).toMatchObject({
      promotion: null,
      userErrors: [{ code: 'PROMOTION_CODE_TAKEN', field: ['input', 'code'] }],
    });
    const found = await call(`query($c: String!) { promotionByCode(code: $c) { id } }`, { c: ` ${c.toLowerCase()} ` }, 'cashier');
    expect(found.promotionByCode.id).toBe(first.promotion.id);
  });

  it('updates what it is told to, clears with null, and keeps the limit above the uses made', async () => {
    const p = await promotion({ minOrderAmount: '100', validUntil: '2099-01-01T00:00:00Z', usageLimit: 5 });
    const updated = (await call(UPDATE, { input: { promotionId: p.id, minOrderAmount: null, value: '12.5', validUntil: null } })).updatePromotion;
    expect(updated.promotion).toMatchObject({ minOrderAmount: null, value: '12.5', validUntil: null, usageLimit: 5, name: 'Test promotion' });
    const product = await freshProduct(['10.00']);
    for (let i = 0; i < 2; i++) await place({ promotionCodes: [p.code], lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] });
    expect(codes((await call(UPDATE, { input: { promotionId: p.id, usageLimit: 1 } })).updatePromotion)).toEqual(['USAGE_LIMIT_BELOW_USED']);
    expect(codes((await call(UPDATE, { input: { promotionId: p.id, value: '0' } })).updatePromotion)).toEqual(['INVALID_PROMOTION_VALUE']);
    expect(codes((await call(UPDATE, { input: { promotionId: randomUUID(), active: false } })).updatePromotion)).toEqual(['PROMOTION_NOT_FOUND']);
    const rows = await adminQuery(
      `select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from orders.outbox where aggregate_id = $1 order by sequence`,
      [p.id],
    );
    const events = rows.map((row) => toEnvelope('orders', row));
    expect(events.map((e) => e.type)).toEqual(['comanda.orders.promotion.created.v1', 'comanda.orders.promotion.updated.v1']);
    for (const event of events) expect(catalog.validate(event)).toBeNull();
  });

  it('refuses bad fields, all at once', async () => {
    const res = (
      await call(CREATE, {
        input: {
          code: 'x',
          name: '',
          kind: 'PERCENTAGE',
          value: '101',
          validFrom: '2026-02-01T00:00:00Z',
          validUntil: '2026-01-01T00:00:00Z',
          usageLimit: 0,
        },
      })
    ).createPromotion;
    expect(codes(res)).toEqual(['INVALID_PROMOTION_CODE', 'NAME_REQUIRED', 'INVALID_PROMOTION_VALUE', 'INVALID_VALIDITY', 'INVALID_USAGE_LIMIT']);
  });

  it('is for managers and owners; cashiers may read', async () => {
    const res = await gql(
      CREATE,
      { input: { code: code(), name: 'x', kind: 'FIXED_AMOUNT', value: '5' } },
      { token: await tokenFor({ role: 'cashier' }) },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await call(
      `query($s: String) { promotions(first: 5, search: $s) { nodes { code } pageInfo { hasNextPage } } }`,
      { s: 'no-such' },
      'cashier',
    );
    expect(list.promotions.nodes).toEqual([]);
  });
});

describe('promotions on an order', () => {
  it('takes a percentage off, spread over the lines, and says which code in the order and its event', async () => {
    const product = await freshProduct(['89.90', '39.00']);
    const [coffee, mug] = product.variants;
    const p = await promotion({ value: '10', minOrderAmount: '100' });
    const placed = await place({
      promotionCodes: [p.code.toLowerCase()],
      lines: [
        { variantId: coffee!.id, quantity: '2' },
        { variantId: mug!.id, quantity: '1.5' },
      ],
    });
    expect(placed.userErrors).toEqual([]);
    expect(placed.order).toMatchObject({ subtotal: { amount: '238.30' }, discountTotal: { amount: '23.83' }, total: { amount: '214.47' } });
    expect(placed.order.lines.map((l: any) => [l.discount.amount, l.total.amount])).toEqual([
      ['17.98', '161.82'],
      ['5.85', '52.65'],
    ]);
    expect(placed.order.promotions).toEqual([
      { code: p.code, kind: 'PERCENTAGE', value: '10', amount: { amount: '23.83' }, released: false, promotion: { id: p.id, timesUsed: 1 } },
    ]);
    const [event] = await adminQuery(`select data from orders.outbox where aggregate_id = $1 and type = 'comanda.orders.order.placed.v1'`, [
      placed.order.id,
    ]);
    expect(event.data.promotions).toEqual([
      { promotionId: p.id, code: p.code, name: 'Test promotion', kind: 'PERCENTAGE', value: '10', amount: '23.83' },
    ]);
    expect(event.data.discountTotal).toBe('23.83');
  });

  it('caps a percentage, takes a fixed amount, and stacks stackable codes only', async () => {
    const product = await freshProduct(['50.00']);
    const line = [{ variantId: product.variants[0]!.id, quantity: '4' }]; // 200.00
    const capped = await promotion({ value: '50', maxDiscount: '30' });
    expect((await place({ promotionCodes: [capped.code], lines: line })).order.discountTotal.amount).toBe('30.00');
    const five = await promotion({ kind: 'FIXED_AMOUNT', value: '5', stackable: true });
    const ten = await promotion({ value: '10', stackable: true });
    const stacked = await place({ promotionCodes: [five.code, ten.code], lines: line });
    expect(stacked.order.promotions.map((x: any) => [x.code, x.amount.amount])).toEqual([
      [ten.code, '20.00'],
      [five.code, '5.00'],
    ]);
    expect(stacked.order.total.amount).toBe('175.00');
    const refused = await place({ promotionCodes: [five.code, capped.code], lines: line });
    expect(refused).toMatchObject({ order: null, userErrors: [{ code: 'PROMOTION_NOT_STACKABLE', field: ['input', 'promotionCodes', '1'] }] });
  });

  it.each([
    ['PROMOTION_MIN_ORDER_NOT_MET', { minOrderAmount: '1000' }],
    ['PROMOTION_NOT_STARTED', { validFrom: '2099-01-01T00:00:00Z' }],
    ['PROMOTION_EXPIRED', { validFrom: '2020-01-01T00:00:00Z', validUntil: '2020-02-01T00:00:00Z' }],
    ['PROMOTION_INACTIVE', { active: false }],
  ])('answers %s and writes nothing', async (expected, change) => {
    const product = await freshProduct(['10.00']);
    const p = await promotion(change);
    const clientOrderId = key();
    const res = await place({ clientOrderId, promotionCodes: [p.code], lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] });
    expect(res).toMatchObject({ order: null, userErrors: [{ code: expected, field: ['input', 'promotionCodes', '0'] }] });
    expect(await adminQuery('select id from orders.sales_order where client_order_id = $1', [clientOrderId])).toEqual([]);
    expect(await timesUsed(p.id)).toBe(0);
  });

  it('replays an order under its key without using the code again', async () => {
    const product = await freshProduct(['10.00']);
    const p = await promotion({ usageLimit: 3 });
    const input = {
      storeId: pos.id,
      clientOrderId: key(),
      channel: 'POS',
      promotionCodes: [p.code],
      lines: [{ variantId: product.variants[0]!.id, quantity: '1' }],
    };
    const token = await tokenFor({ role: 'cashier' });
    const results = await Promise.all(Array.from({ length: 5 }, () => gql(PLACE, { input }, { token })));
    expect(new Set(results.map((r) => r.data?.placeOrder.order?.id)).size).toBe(1);
    expect(results.filter((r) => r.data?.placeOrder.replayed === false)).toHaveLength(1);
    expect(await timesUsed(p.id)).toBe(1);
  });

  it('gives the use back when the order is cancelled, and keeps the discount on the cancelled order', async () => {
    const product = await freshProduct(['10.00']);
    const p = await promotion({ usageLimit: 1 });
    const line = [{ variantId: product.variants[0]!.id, quantity: '1' }];
    const first = await place({ promotionCodes: [p.code], lines: line });
    expect(codes(await place({ promotionCodes: [p.code], lines: line }))).toEqual(['PROMOTION_EXHAUSTED']);
    const cancelled = (await call(TRANSITION, { input: { orderId: first.order.id, to: 'CANCELLED', reason: 'customer left' } })).transitionOrder;
    expect(cancelled.order).toEqual({ status: 'CANCELLED', promotions: [{ released: true }] });
    expect(await timesUsed(p.id)).toBe(0);
    const second = await place({ promotionCodes: [p.code], lines: line });
    expect(second.order.discountTotal.amount).toBe('1.00');
    const read = await call(`query($id: ID!) { order(id: $id) { discountTotal { amount } } }`, { id: first.order.id });
    expect(read.order.discountTotal.amount).toBe('1.00');
  });
});

describe('the usage limit under concurrency', () => {
  it('gives exactly 10 discounted orders out of 100 parallel ones with a 10-use code', async () => {
    const product = await freshProduct(['20.00']);
    const p = await promotion({ kind: 'FIXED_AMOUNT', value: '2.50', usageLimit: 10 });
    const token = await tokenFor({ role: 'cashier' });
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        gql(
          PLACE,
          {
            input: {
              storeId: pos.id,
              clientOrderId: key(),
              channel: 'POS',
              promotionCodes: [p.code],
              lines: [{ variantId: product.variants[0]!.id, quantity: '1' }],
            },
          },
          { token },
        ),
      ),
    );
    expect(results.every((r) => r.status === 200 && !r.errors)).toBe(true);
    const payloads = results.map((r) => r.data!.placeOrder);
    const discounted = payloads.filter((x) => x.order);
    expect(discounted).toHaveLength(10);
    expect(discounted.every((x) => x.order.discountTotal.amount === '2.50' && x.order.total.amount === '17.50')).toBe(true);
    expect(payloads.filter((x) => !x.order).every((x) => codes(x).join() === 'PROMOTION_EXHAUSTED')).toBe(true);
    expect(await timesUsed(p.id)).toBe(10);
    const [row] = await adminQuery('select count(*)::int as n from orders.promotion_redemption where promotion_id = $1 and released_at is null', [
      p.id,
    ]);
    expect(row.n).toBe(10);
  });
});

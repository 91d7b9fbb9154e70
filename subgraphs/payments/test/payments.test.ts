import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql, other, subgraphGql, withSubgraphEm } from '../../../tests/support/client.ts';
import { orderAccountHandler, payments } from '../src/index.ts';
import { codes, knownOrder, ORDER_FIELDS, orderFigures, paymentCount, payments$, placedEvent, record, refund, STORE } from './support.ts';

describe('order accounts from order.placed', () => {
  it('keeps one row per order and tenant, however often the event arrives', async () => {
    const orderId = uuidv7();
    const data = { orderId, storeId: STORE, channel: 'POS', customerId: null, currency: 'RON', total: '10.00', payOnAccount: false };
    for (let i = 0; i < 2; i++)
      await withSubgraphEm(payments, demo.tenantId, (em) => orderAccountHandler.handle(em, placedEvent(demo.tenantId, data)));
    await withSubgraphEm(payments, other.tenantId, (em) =>
      orderAccountHandler.handle(em, placedEvent(other.tenantId, { ...data, storeId: other.stores[0]!.id, total: '99.00' })),
    );
    const rows = await adminQuery('select tenant_id, total::text from payments.order_account where order_id = $1 order by tenant_id', [orderId]);
    expect(rows).toEqual([
      { tenant_id: 'acme', total: '99.0000' },
      { tenant_id: 'demo', total: '10.0000' },
    ]);
  });
});

describe('recordPayment', () => {
  it('takes cash with change, replays the same request and refuses a different one under the key', async () => {
    const orderId = await knownOrder('37.40');
    const input = { orderId, idempotencyKey: `cash-${orderId}`, method: 'CASH', amount: '37.40', tendered: '50' };
    const first = await record(input, { roles: ['cashier'] });
    expect(first.userErrors).toEqual([]);
    expect(first).toMatchObject({
      replayed: false,
      payment: {
        method: 'CASH',
        state: 'CAPTURED',
        amount: { amount: '37.40', currencyCode: 'RON' },
        change: { amount: '12.60' },
        order: { id: orderId },
      },
    });
    const again = await record({ ...input, amount: '37.4' });
    expect(again).toMatchObject({ replayed: true, payment: { id: first.payment.id } });
    const conflict = await record({ ...input, tendered: '100' });
    expect(conflict).toEqual({
      replayed: false,
      payment: null,
      userErrors: [{ code: 'IDEMPOTENCY_CONFLICT', field: ['input', 'idempotencyKey'], message: expect.any(String) }],
    });
    expect(await paymentCount(orderId)).toBe(1);
    expect(await orderFigures(orderId, '37.40')).toMatchObject({
      paymentStatus: 'PAID',
      amountPaid: { amount: '37.40' },
      balanceDue: { amount: '0.00' },
    });

    const [event] = await adminQuery(`select type, store_id, data from payments.outbox where aggregate_id = $1`, [first.payment.id]);
    expect(event).toMatchObject({
      type: 'comanda.payments.payment.captured.v1',
      store_id: STORE,
      data: {
        orderId,
        storeId: STORE,
        method: 'CASH',
        amount: '37.40',
        currency: 'RON',
        change: '12.60',
        amountPaid: '37.40',
        paymentStatus: 'PAID',
      },
    });
  });

  it('applies a cash amount above the balance only up to it and gives the rest as change', async () => {
    const orderId = await knownOrder('80.00');
    await record({ orderId, method: 'CARD', amount: '30.00' });
    const cash = await record({ orderId, method: 'CASH', amount: '100.00' });
    expect(cash.payment).toMatchObject({ amount: { amount: '50.00' }, change: { amount: '50.00' } });
    expect(await orderFigures(orderId, '80.00')).toMatchObject({ paymentStatus: 'PAID', amountPaid: { amount: '80.00' } });
  });

  it('splits an order over cash and card, then refuses anything more', async () => {
    const orderId = await knownOrder('100.00');
    expect(codes(await record({ orderId, method: 'CASH', amount: '40.00', tendered: '40.00' }))).toEqual([]);
    expect(await orderFigures(orderId, '100.00')).toMatchObject({
      paymentStatus: 'PARTIALLY_PAID',
      amountPaid: { amount: '40.00' },
      balanceDue: { amount: '60.00' },
    });
    expect(codes(await record({ orderId, method: 'CARD', amount: '60.01' }))).toEqual(['OVERPAYMENT']);
    const card = await record({ orderId, method: 'CARD', amount: '60.00' });
    expect(card.payment.providerReference).toMatch(/^sbx_/);
    expect(codes(await record({ orderId, method: 'E_WALLET', amount: '0.01' }))).toEqual(['OVERPAYMENT']);
    expect(codes(await record({ orderId, method: 'CASH', amount: '1.00' }))).toEqual(['OVERPAYMENT']);
    const figures = await orderFigures(orderId, '100.00');
    expect(figures).toMatchObject({ paymentStatus: 'PAID', amountPaid: { amount: '100.00' }, balanceDue: { amount: '0.00' } });
    expect(figures.payments.map((p: { method: string }) => p.method)).toEqual(['CASH', 'CARD']);
  });

  it.each([
    ['10.51', 'PAYMENT_DECLINED'],
    ['10.52', 'PAYMENT_DECLINED'],
    ['10.53', 'PROVIDER_UNAVAILABLE'],
    ['10.54', 'PAYMENT_DECLINED'],
  ])('reports the sandbox outcome of %s as %s and writes nothing', async (amount, code) => {
    const orderId = await knownOrder('50.00');
    expect(codes(await record({ orderId, method: 'CARD', amount }))).toEqual([code]);
    expect(await paymentCount(orderId)).toBe(0);
    expect((await adminQuery(`select count(*)::int as n from payments.outbox where data->>'orderId' = $1`, [orderId]))[0].n).toBe(0);
  });

  it('leaves bank transfers pending and on-account payments authorized, outside amountPaid but inside the limit', async () => {
    const customer = demo.customers.find((c) => c.kind === 'COMPANY')!.id;
    const orderId = await knownOrder('100.00', { customerId: customer });
    expect((await record({ orderId, method: 'BANK_TRANSFER', amount: '60.00' })).payment.state).toBe('PENDING');
    expect((await record({ orderId, method: 'ON_ACCOUNT', amount: '40.00' })).payment.state).toBe('AUTHORIZED');
    expect(codes(await record({ orderId, method: 'VOUCHER', amount: '0.01' }))).toEqual(['OVERPAYMENT']);
    expect(await orderFigures(orderId, '100.00')).toMatchObject({
      paymentStatus: 'UNPAID',
      amountPaid: { amount: '0.00' },
      balanceDue: { amount: '100.00' },
    });
    const types = await adminQuery(`select type from payments.outbox where data->>'orderId' = $1 order by position`, [orderId]);
    expect(types.map((t) => t.type)).toEqual(['comanda.payments.payment.pending.v1', 'comanda.payments.payment.authorized.v1']);

    const walkIn = await knownOrder('10.00');
    expect(codes(await record({ orderId: walkIn, method: 'ON_ACCOUNT', amount: '10.00' }))).toEqual(['ON_ACCOUNT_NEEDS_CUSTOMER']);
  });

  it('rejects bad input with stable codes', async () => {
    const orderId = await knownOrder('20.00');
    expect(codes(await record({ orderId, method: 'CARD', amount: '0' }))).toEqual(['INVALID_AMOUNT']);
    expect(codes(await record({ orderId, method: 'CARD', amount: '1.999' }))).toEqual(['INVALID_AMOUNT']);
    expect(codes(await record({ orderId, method: 'CARD', amount: '5', tendered: '10' }))).toEqual(['TENDERED_ONLY_FOR_CASH']);
    expect(codes(await record({ orderId, method: 'CASH', amount: '5', tendered: '4.99' }))).toEqual(['TENDERED_TOO_LOW']);
    expect(codes(await record({ orderId, method: 'CASH', amount: '5', idempotencyKey: ' ' }))).toEqual(['INVALID_IDEMPOTENCY_KEY']);
    expect(codes(await record({ orderId: uuidv7(), method: 'CASH', amount: '5' }))).toEqual(['ORDER_NOT_FOUND']);
    expect(codes(await record({ orderId: 'not-a-uuid', method: 'CASH', amount: '5' }))).toEqual(['ORDER_NOT_FOUND']);
    expect(await paymentCount(orderId)).toBe(0);
  });

  it('never lets concurrent payments exceed the total', async () => {
    const orderId = await knownOrder('100.00');
    const results = await Promise.all(Array.from({ length: 10 }, () => record({ orderId, method: 'VOUCHER', amount: '20.00' })));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(5);
    expect(results.filter((r) => codes(r)[0] === 'OVERPAYMENT')).toHaveLength(5);
    const [sum] = await adminQuery('select sum(amount)::text as s from payments.payment where order_id = $1', [orderId]);
    expect(sum.s).toBe('100.0000');
  });

  it('creates one payment for concurrent duplicates', async () => {
    const orderId = await knownOrder('100.00');
    const input = { orderId, idempotencyKey: `dup-${orderId}`, method: 'CARD', amount: '25.00' };
    const results = await Promise.all(Array.from({ length: 6 }, () => record(input)));
    expect(results.every((r) => r.userErrors.length === 0)).toBe(true);
    expect(new Set(results.map((r) => r.payment.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await paymentCount(orderId)).toBe(1);
  });

  it('allows owners, managers and cashiers only, within their stores', async () => {
    const orderId = await knownOrder('10.00');
    const accountant = await record({ orderId, method: 'CASH', amount: '1' }, { roles: ['accountant'] });
    expect(accountant.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const elsewhere = await record({ orderId, method: 'CASH', amount: '1' }, { roles: ['cashier'], storeIds: [demo.stores[1]!.id] });
    expect(elsewhere.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await record({ orderId, method: 'CASH', amount: '1' }, { roles: ['owner'], storeIds: [STORE] })).userErrors).toEqual([]);
    expect(await paymentCount(orderId)).toBe(1);
  });

  it("does not see or pay another tenant's order", async () => {
    const orderId = await knownOrder('10.00', { tenantId: other.tenantId, storeId: other.stores[0]!.id });
    expect(codes(await record({ orderId, method: 'CASH', amount: '1' }))).toEqual(['ORDER_NOT_FOUND']);
    expect(await paymentCount(orderId)).toBe(0);
  });
});

describe('refundPayment', () => {
  it('refunds part, then the rest, never more, and keeps every refund', async () => {
    const orderId = await knownOrder('80.00');
    const { payment } = await record({ orderId, method: 'CARD', amount: '80.00' });
    const key = `refund-${payment.id}`;
    const partial = await refund({ paymentId: payment.id, amount: '30.00', idempotencyKey: key });
    expect(partial.userErrors).toEqual([]);
    expect(partial.payment).toMatchObject({ state: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '30.00' } });
    expect((await refund({ paymentId: payment.id, amount: '30', idempotencyKey: key })).payment.refunds).toHaveLength(1);
    expect(codes(await refund({ paymentId: payment.id, amount: '31.00', idempotencyKey: key }))).toEqual(['IDEMPOTENCY_CONFLICT']);
    expect(await orderFigures(orderId, '80.00')).toMatchObject({
      paymentStatus: 'PARTIALLY_REFUNDED',
      amountPaid: { amount: '50.00' },
      balanceDue: { amount: '30.00' },
    });

    expect(codes(await refund({ paymentId: payment.id, amount: '50.01' }))).toEqual(['REFUND_EXCEEDS_CAPTURED']);
    expect(codes(await refund({ paymentId: payment.id, amount: '1.51' }))).toEqual(['REFUND_DECLINED']);
    const rest = await refund({ paymentId: payment.id, amount: '50.00' });
    expect(rest.payment).toMatchObject({ state: 'REFUNDED', refundedAmount: { amount: '80.00' } });
    expect(rest.payment.refunds.map((r: { amount: { amount: string } }) => r.amount.amount)).toEqual(['30.00', '50.00']);
    expect(codes(await refund({ paymentId: payment.id, amount: '0.01' }))).toEqual(['NOT_REFUNDABLE']);
    expect(await orderFigures(orderId, '80.00')).toMatchObject({ paymentStatus: 'REFUNDED', amountPaid: { amount: '0.00' } });

    const events = await adminQuery(
      `select data from payments.outbox where type = 'comanda.payments.payment.refunded.v1' and aggregate_id = $1 order by sequence`,
      [payment.id],
    );
    expect(events.map((e) => [e.data.amount, e.data.amountPaid, e.data.paymentStatus, e.data.method])).toEqual([
      ['30.00', '50.00', 'PARTIALLY_REFUNDED', 'CARD'],
      ['50.00', '0.00', 'REFUNDED', 'CARD'],
    ]);
  });

  it('refunds only captured money, for owners and managers', async () => {
    const orderId = await knownOrder('10.00');
    const pending = (await record({ orderId, method: 'BANK_TRANSFER', amount: '10.00' })).payment;
    expect(codes(await refund({ paymentId: pending.id, amount: '1.00' }))).toEqual(['NOT_REFUNDABLE']);
    expect(codes(await refund({ paymentId: uuidv7(), amount: '1.00' }))).toEqual(['PAYMENT_NOT_FOUND']);
    expect(codes(await refund({ paymentId: 'nope', amount: '1.00' }))).toEqual(['PAYMENT_NOT_FOUND']);
    expect(codes(await refund({ paymentId: pending.id, amount: '1.00', reason: '  ' }))).toEqual(['REFUND_REASON_REQUIRED']);
    const cashier = await refund({ paymentId: pending.id, amount: '1.00' }, { roles: ['cashier'] });
    expect(cashier.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('reads', () => {
  it('finds a payment by id for its tenant only, and null for unknown or malformed ids', async () => {
    const orderId = await knownOrder('5.00');
    const { payment } = await record({ orderId, method: 'CASH', amount: '5.00' });
    const query = `query($id: ID!) { payment(id: $id) { id method amount { amount } order { id } } }`;
    expect((await payments$(query, { id: payment.id })).data.payment).toMatchObject({ id: payment.id, order: { id: orderId } });
    expect((await payments$(query, { id: payment.id }, { tenantId: other.tenantId })).data.payment).toBeNull();
    expect((await payments$(query, { id: uuidv7() })).data.payment).toBeNull();
    expect((await payments$(query, { id: 'junk' })).data.payment).toBeNull();
    expect((await payments$(query, { id: payment.id }, { roles: ['cashier'], storeIds: [demo.stores[1]!.id] })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
  });

  it("counts today's captures minus today's refunds for the store", async () => {
    const storeId = uuidv7();
    const first = await knownOrder('100.00', { storeId });
    const second = await knownOrder('30.00', { storeId });
    const card = (await record({ orderId: first, method: 'CARD', amount: '100.00' })).payment;
    await record({ orderId: second, method: 'CASH', amount: '30.00', tendered: '50.00' });
    await record({ orderId: second, method: 'BANK_TRANSFER', amount: '0.01' }).catch(() => null);
    await refund({ paymentId: card.id, amount: '12.50' });
    const res = await subgraphGql(
      'payments',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { storeId collectedToday { amount currencyCode } } } }`,
      {
        r: [
          { __typename: 'StoreMetrics', storeId, timezone: 'Europe/Bucharest', currencyCode: 'RON' },
          { __typename: 'StoreMetrics', storeId: uuidv7(), timezone: 'Europe/Bucharest', currencyCode: 'RON' },
        ],
      },
    );
    expect(res.data._entities).toEqual([
      { storeId, collectedToday: { amount: '117.50', currencyCode: 'RON' } },
      { storeId: expect.any(String), collectedToday: { amount: '0.00', currencyCode: 'RON' } },
    ]);
  });

  it('answers Order fields for many orders at once, and empty ones for orders without payments', async () => {
    const orderIds = await Promise.all(Array.from({ length: 5 }, () => knownOrder('10.00')));
    await Promise.all(orderIds.slice(0, 3).map((orderId) => record({ orderId, method: 'CASH', amount: '4.00' })));
    const res = await subgraphGql('payments', ORDER_FIELDS, {
      r: [...orderIds, 'junk'].map((id) => ({ __typename: 'Order', id, total: { amount: '10.00', currencyCode: 'RON' } })),
    });
    expect(res.data._entities.map((o: { paymentStatus: string }) => o.paymentStatus)).toEqual([
      'PARTIALLY_PAID',
      'PARTIALLY_PAID',
      'PARTIALLY_PAID',
      'UNPAID',
      'UNPAID',
      'UNPAID',
    ]);
  });
});

describe('through the whole supergraph (needs schema/supergraph.graphql composed with payments)', () => {
  it('pays an order placed at the POS once payments has heard of it', async () => {
    const variant = demo.products[0]!.variants[0]!;
    const placed = await gql(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id total { amount currencyCode } } userErrors { code message } } }`,
      { input: { storeId: STORE, clientOrderId: uuidv7(), channel: 'POS', lines: [{ variantId: variant.id, quantity: '2' }] } },
    );
    expect(placed.data?.placeOrder.userErrors).toEqual([]);
    const order = placed.data.placeOrder.order;
    const key = uuidv7();
    const paid = await eventually(async () => {
      const result = await record({ orderId: order.id, idempotencyKey: key, method: 'CASH', amount: order.total.amount, tendered: '500.00' });
      return codes(result)[0] === 'ORDER_NOT_FOUND' ? null : result;
    });
    expect(paid.userErrors).toEqual([]);
    const detail = await gql(
      `query($id: ID!) { order(id: $id) { id paymentStatus amountPaid { amount } balanceDue { amount } payments { method amount { amount } change { amount } } } }`,
      { id: order.id },
    );
    expect(detail.data.order).toMatchObject({
      paymentStatus: 'PAID',
      amountPaid: { amount: order.total.amount },
      balanceDue: { amount: '0.00' },
      payments: [{ method: 'CASH', amount: { amount: order.total.amount } }],
    });
  });
});

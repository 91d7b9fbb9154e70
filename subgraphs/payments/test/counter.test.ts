import { Decimal, type Identity } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql, subgraphGql, withSubgraphEm } from '../../../tests/support/client.ts';
import { orderStatus, pay, placePosOrder } from '../../../tests/support/flows.ts';
import { payments } from '../src/index.ts';
import { providersFromEnv } from '../src/providers/index.ts';
import { createReactions } from '../src/reactions.ts';
import { codes, eventTypes, knownOrder, orderFigures, payments$, placedEvent, record, refund, STORE } from './support.ts';

const DECISION = `{
  refund { id status amount { amount } requestedBy approvedBy rejectedBy rejectionReason decidedAt providerReference }
  payment { id state refundedAmount { amount } }
  userErrors { field message code }
}`;
const APPROVE = `mutation($input: ApproveRefundInput!) { approveRefund(input: $input) ${DECISION} }`;
const REJECT = `mutation($input: RejectRefundInput!) { rejectRefund(input: $input) ${DECISION} }`;

const manager = (userId: string) => ({ userId, roles: ['manager' as const] });

async function approve(refundId: string, userId: string, identity: Partial<Identity> = {}) {
  const res = await payments$(APPROVE, { input: { refundId } }, { ...manager(userId), ...identity });
  return res.data?.approveRefund ?? res;
}

async function reject(refundId: string, userId: string, reason = 'not agreed with the customer') {
  const res = await payments$(REJECT, { input: { refundId, reason } }, manager(userId));
  return res.data?.rejectRefund ?? res;
}

const refundedEvents = async (paymentId: string) =>
  adminQuery(`select data from payments.outbox where aggregate_id = $1 and type = 'comanda.payments.payment.refunded.v1' order by sequence`, [
    paymentId,
  ]);

describe('refunds above 5,000.00 wait for an approval', () => {
  it('records the refund PENDING_APPROVAL, pays nothing back, and holds its share of the payment', async () => {
    const orderId = await knownOrder('9000.00');
    const { payment } = await record({ orderId, method: 'CARD', amount: '9000.00' });
    const asked = await refund({ paymentId: payment.id, amount: '6000.00', reason: 'wrong model delivered' }, manager('ana'));
    expect(asked.userErrors).toEqual([]);
    expect(asked.refund).toMatchObject({
      status: 'PENDING_APPROVAL',
      amount: { amount: '6000.00' },
      requestedBy: 'ana',
      approvedBy: null,
      providerReference: null,
    });
    expect(asked.payment).toMatchObject({ state: 'CAPTURED', refundedAmount: { amount: '0.00' } });
    expect(await orderFigures(orderId, '9000.00')).toMatchObject({ paymentStatus: 'PAID', amountPaid: { amount: '9000.00' } });
    expect(await eventTypes(payment.id)).toEqual(['captured', 'refund_requested']);
    const [requested] = await adminQuery(`select data from payments.outbox where aggregate_id = $1 and type like '%refund_requested%'`, [payment.id]);
    expect(requested.data).toMatchObject({
      refundId: asked.refund.id,
      amount: '6000.00',
      requestedBy: 'ana',
      status: 'PENDING_APPROVAL',
      approvalThreshold: '5000.00',
    });

    // 6,000.00 is held: at most 3,000.00 is left to refund, and that (at the threshold, not above) goes back at once
    expect(codes(await refund({ paymentId: payment.id, amount: '3000.01' }, manager('ion')))).toEqual(['REFUND_EXCEEDS_CAPTURED']);
    const small = await refund({ paymentId: payment.id, amount: '3000.00' }, manager('ion'));
    expect(small.refund).toMatchObject({ status: 'COMPLETED', providerReference: `sbx_refund_${small.refund.id}` });
    expect(small.payment).toMatchObject({ state: 'PARTIALLY_REFUNDED', refundedAmount: { amount: '3000.00' } });
  });

  it('is approved by an owner or manager other than who asked, and only then paid back', async () => {
    const orderId = await knownOrder('7000.00');
    const { payment } = await record({ orderId, method: 'CARD', amount: '7000.00' });
    const asked = (await refund({ paymentId: payment.id, amount: '7000.00' }, manager('ana'))).refund;

    expect(codes(await approve(asked.id, 'ana'))).toEqual(['APPROVER_IS_REQUESTER']);
    expect((await approve(asked.id, 'cashier-1', { roles: ['cashier'] })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await approve(asked.id, 'ion', { storeIds: [demo.stores[1]!.id] })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(codes(await approve(uuidv7(), 'ion'))).toEqual(['REFUND_NOT_FOUND']);
    expect(await refundedEvents(payment.id)).toEqual([]);

    const approved = await approve(asked.id, 'ion');
    expect(approved.userErrors).toEqual([]);
    expect(approved.refund).toMatchObject({
      status: 'COMPLETED',
      approvedBy: 'ion',
      requestedBy: 'ana',
      providerReference: `sbx_refund_${asked.id}`,
    });
    expect(approved.refund.decidedAt).toBeTruthy();
    expect(approved.payment).toMatchObject({ state: 'REFUNDED', refundedAmount: { amount: '7000.00' } });
    expect((await refundedEvents(payment.id)).map((e) => [e.data.refundId, e.data.amount, e.data.paymentStatus])).toEqual([
      [asked.id, '7000.00', 'REFUNDED'],
    ]);

    // a second click changes nothing; the other decision is refused
    expect((await approve(asked.id, 'ion')).refund).toMatchObject({ status: 'COMPLETED', approvedBy: 'ion' });
    expect(codes(await reject(asked.id, 'ion'))).toEqual(['REFUND_NOT_AWAITING_APPROVAL']);
    expect(await refundedEvents(payment.id)).toHaveLength(1);
    expect(await orderFigures(orderId, '7000.00')).toMatchObject({ paymentStatus: 'REFUNDED', amountPaid: { amount: '0.00' } });
  });

  it('is rejected (or withdrawn by who asked) with a reason: nothing goes back and its share is free again', async () => {
    const orderId = await knownOrder('6000.00');
    const { payment } = await record({ orderId, method: 'CASH', amount: '6000.00' });
    const asked = (await refund({ paymentId: payment.id, amount: '5000.01' }, manager('ana'))).refund;
    expect(asked.status).toBe('PENDING_APPROVAL');
    expect(codes(await reject(asked.id, 'ana', ' '))).toEqual(['REFUND_REASON_REQUIRED']);
    const withdrawn = await reject(asked.id, 'ana', 'entered by mistake');
    expect(withdrawn.refund).toMatchObject({ status: 'REJECTED', rejectedBy: 'ana', rejectionReason: 'entered by mistake', approvedBy: null });
    expect(withdrawn.payment).toMatchObject({ state: 'CAPTURED', refundedAmount: { amount: '0.00' } });
    expect(codes(await approve(asked.id, 'ion'))).toEqual(['REFUND_NOT_AWAITING_APPROVAL']);
    expect(await eventTypes(payment.id)).toEqual(['captured', 'refund_requested', 'refund_rejected']);
    expect((await refund({ paymentId: payment.id, amount: '5000.00' })).refund.status).toBe('COMPLETED');
  });

  it('lists the approval queue per store, and counts only money that went back in collectedToday', async () => {
    const storeId = uuidv7();
    const orderId = await knownOrder('20000.00', { storeId });
    const { payment } = await record({ orderId, method: 'CASH', amount: '20000.00' });
    const first = (await refund({ paymentId: payment.id, amount: '6000.00' }, manager('ana'))).refund;
    const second = (await refund({ paymentId: payment.id, amount: '7000.00' }, manager('ana'))).refund;
    await refund({ paymentId: payment.id, amount: '100.00' }, manager('ana'));

    const QUEUE = `query($storeId: ID!, $after: String) {
      refunds(storeId: $storeId, status: PENDING_APPROVAL, first: 1, after: $after) {
        nodes { id amount { amount } payment { id } } pageInfo { hasNextPage endCursor }
      }
    }`;
    const page1 = (await payments$(QUEUE, { storeId })).data.refunds;
    expect(page1.nodes).toEqual([{ id: first.id, amount: { amount: '6000.00' }, payment: { id: payment.id } }]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await payments$(QUEUE, { storeId, after: page1.pageInfo.endCursor })).data.refunds;
    expect(page2.nodes.map((r: { id: string }) => r.id)).toEqual([second.id]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect((await payments$(QUEUE, { storeId }, { roles: ['cashier'] })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const collected = async () =>
      (
        await subgraphGql(
          'payments',
          `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { collectedToday { amount } } } }`,
          { r: [{ __typename: 'StoreMetrics', storeId, timezone: 'Europe/Bucharest', currencyCode: 'RON' }] },
        )
      ).data._entities[0].collectedToday.amount;
    expect(await collected()).toBe('19900.00');
    await approve(first.id, 'ion');
    expect(await collected()).toBe('13900.00');
  });
});

describe('a cancelled order with more than 5,000.00 captured', () => {
  it('asks for the refund (as system:orders) once however often the event comes, and pays back on approval', async () => {
    const orderId = await knownOrder('8000.00');
    const { payment } = await record({ orderId, method: 'CASH', amount: '8000.00' });
    const [refundOnCancel] = createReactions(providersFromEnv());
    const cancelled = { ...placedEvent(demo.tenantId, { orderId, storeId: STORE }), type: 'comanda.orders.order.cancelled.v1' };
    for (let i = 0; i < 2; i++) await withSubgraphEm(payments, demo.tenantId, (em) => refundOnCancel!.handle(em, cancelled));
    const rows = await adminQuery('select id, status, amount::text, created_by from payments.refund where payment_id = $1', [payment.id]);
    expect(rows).toEqual([{ id: expect.any(String), status: 'PENDING_APPROVAL', amount: '8000.0000', created_by: 'system:orders' }]);
    expect((await approve(rows[0].id, 'ion')).refund).toMatchObject({ status: 'COMPLETED', approvedBy: 'ion' });
    await withSubgraphEm(payments, demo.tenantId, (em) => refundOnCancel!.handle(em, cancelled));
    expect(await orderFigures(orderId, '8000.00')).toMatchObject({ paymentStatus: 'REFUNDED' });
    expect(await eventTypes(payment.id)).toEqual(['captured', 'refund_requested', 'refunded']);
  });
});

describe('selling at the counter: split and partial payments through the gateway', () => {
  it('takes a voucher, a card and cash with change on one order, then confirms it', async () => {
    const order = await placePosOrder();
    const total = order.total.amount;
    const voucher = await pay(order.id, '5.00', 'VOUCHER');
    expect(voucher.state).toBe('CAPTURED');
    await new Promise((r) => setTimeout(r, 300));
    expect(await orderStatus(order.id)).toBe('PENDING');
    const card = await pay(order.id, '10.00', 'CARD');
    expect(card.state).toBe('CAPTURED');
    const RECORD_VIA_GATEWAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { payment { id } userErrors { code } } }`;
    const tooMuch = await gql(RECORD_VIA_GATEWAY, {
      input: { orderId: order.id, idempotencyKey: uuidv7(), method: 'VOUCHER', amount: total },
    });
    expect(tooMuch.data.recordPayment.userErrors.map((e: { code: string }) => e.code)).toEqual(['OVERPAYMENT']);
    const rest = new Decimal(total).minus('15.00');
    const cash = await pay(order.id, rest.toFixed(2), 'CASH', rest.plus('20.00').toFixed(2));
    expect(cash.change?.amount).toBe('20.00');
    await eventually(async () => (await orderStatus(order.id)) === 'CONFIRMED');
    const detail = await gql(`query($id: ID!) { order(id: $id) { paymentStatus balanceDue { amount } payments { method amount { amount } } } }`, {
      id: order.id,
    });
    expect(detail.data.order).toMatchObject({ paymentStatus: 'PAID', balanceDue: { amount: '0.00' } });
    expect(detail.data.order.payments.map((p: { method: string }) => p.method)).toEqual(['VOUCHER', 'CARD', 'CASH']);
  });

  it('a QR payment confirms the order once its webhook has come', async () => {
    const order = await placePosOrder();
    const qr = await pay(order.id, order.total.amount, 'QR_CODE');
    expect(qr.state).toBe('PENDING');
    expect(await orderStatus(order.id)).toBe('PENDING');
    await eventually(async () => (await orderStatus(order.id)) === 'CONFIRMED');
    const res = await gql(`query($id: ID!) { order(id: $id) { paymentStatus payments { method state } } }`, { id: order.id });
    expect(res.data.order).toEqual({ paymentStatus: 'PAID', payments: [{ method: 'QR_CODE', state: 'CAPTURED' }] });
  });

  it('partial payments leave a balance, whatever the mix', async () => {
    const orderId = await knownOrder('50.00', { storeId: STORE });
    await record({ orderId, method: 'VOUCHER', amount: '10.00' });
    await record({ orderId, method: 'CARD', amount: '15.00' });
    expect(await orderFigures(orderId, '50.00')).toMatchObject({
      paymentStatus: 'PARTIALLY_PAID',
      amountPaid: { amount: '25.00' },
      balanceDue: { amount: '25.00' },
    });
  });
});

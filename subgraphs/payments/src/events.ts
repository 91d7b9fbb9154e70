import { Decimal, type EntityManager, type EventEnvelope, type EventHandler, recordEvent } from '@comanda/kit';
import type { OrderPaymentSummary } from './domain/payment.ts';
import type { PaymentRow, RefundRow } from './entities.ts';

export const ORDER_PLACED = 'comanda.orders.order.placed.v1';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PlacedOrder {
  orderId: string;
  storeId: string;
  channel: string;
  customerId: string | null;
  currency: string;
  total: string;
  payOnAccount: boolean;
}

/** A malformed event is a bug upstream: throwing sends it to the dead-letter topic, not into the table. */
export function parseOrderPlaced(data: Record<string, unknown>): PlacedOrder {
  const { orderId, storeId, channel, customerId, currency, total, payOnAccount } = data;
  if (typeof orderId !== 'string' || !UUID.test(orderId)) throw new Error('order.placed: orderId is not a UUID');
  if (typeof storeId !== 'string' || !UUID.test(storeId)) throw new Error('order.placed: storeId is not a UUID');
  if (typeof channel !== 'string' || !channel) throw new Error('order.placed: channel is missing');
  if (customerId !== null && customerId !== undefined && (typeof customerId !== 'string' || !UUID.test(customerId))) {
    throw new Error('order.placed: customerId is not a UUID');
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new Error('order.placed: currency is not an ISO 4217 code');
  if (typeof total !== 'string' || !/^\d{1,14}(\.\d{1,4})?$/.test(total)) throw new Error('order.placed: total is not a non-negative decimal string');
  return { orderId, storeId, channel, customerId: customerId ?? null, currency, total, payOnAccount: payOnAccount === true };
}

/**
 * Keeps the order's total and currency for recordPayment. Redelivery is harmless: the first
 * placed event of an order wins and a repeat changes nothing.
 */
export const orderAccountHandler: EventHandler = {
  name: 'order-account',
  types: [ORDER_PLACED],
  async handle(em: EntityManager, event: EventEnvelope): Promise<void> {
    const order = parseOrderPlaced(event.data);
    await em.execute(
      `insert into order_account (tenant_id, order_id, store_id, currency, total, channel, customer_id, pay_on_account, placed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (tenant_id, order_id) do nothing`,
      [event.tenantid, order.orderId, order.storeId, order.currency, order.total, order.channel, order.customerId, order.payOnAccount, event.time],
    );
  },
};

function orderFigures(summary: OrderPaymentSummary) {
  return {
    amountPaid: summary.amountPaid.toFixed(2),
    balanceDue: summary.balanceDue.toFixed(2),
    paymentStatus: summary.status,
  };
}

/** payment.captured, .authorized (on account), .pending (bank transfer, provider) or .failed (settled by the provider). */
export async function publishPaymentRecorded(
  tx: EntityManager,
  payment: PaymentRow,
  orderTotal: string,
  summary: OrderPaymentSummary,
): Promise<void> {
  await recordEvent(tx, 'payments', {
    aggregateType: 'payment',
    aggregateId: payment.id,
    event: payment.state.toLowerCase(),
    tenantId: payment.tenantId,
    storeId: payment.storeId,
    data: {
      paymentId: payment.id,
      orderId: payment.orderId,
      storeId: payment.storeId,
      method: payment.method,
      state: payment.state,
      amount: new Decimal(payment.amount).toFixed(2),
      currency: payment.currency,
      change: payment.change == null ? null : new Decimal(payment.change).toFixed(2),
      providerReference: payment.providerReference,
      orderTotal: new Decimal(orderTotal).toFixed(2),
      ...orderFigures(summary),
    },
  });
}

export async function publishPaymentRefunded(
  tx: EntityManager,
  payment: PaymentRow,
  refund: RefundRow,
  orderTotal: string,
  summary: OrderPaymentSummary,
): Promise<void> {
  await recordEvent(tx, 'payments', {
    aggregateType: 'payment',
    aggregateId: payment.id,
    event: 'refunded',
    tenantId: payment.tenantId,
    storeId: payment.storeId,
    data: {
      paymentId: payment.id,
      refundId: refund.id,
      orderId: payment.orderId,
      storeId: payment.storeId,
      method: payment.method,
      state: payment.state,
      amount: new Decimal(refund.amount).toFixed(2),
      currency: payment.currency,
      refundedTotal: new Decimal(payment.refundedAmount).toFixed(2),
      reason: refund.reason,
      providerReference: refund.providerReference,
      orderTotal: new Decimal(orderTotal).toFixed(2),
      ...orderFigures(summary),
    },
  });
}

function refundFacts(payment: PaymentRow, refund: RefundRow) {
  return {
    paymentId: payment.id,
    refundId: refund.id,
    orderId: payment.orderId,
    storeId: payment.storeId,
    method: payment.method,
    amount: new Decimal(refund.amount).toFixed(2),
    currency: refund.currency,
    reason: refund.reason,
    requestedBy: refund.createdBy,
  };
}

/** A refund above the threshold waits for an owner's or manager's approval: nothing was paid back. */
export async function publishRefundRequested(tx: EntityManager, payment: PaymentRow, refund: RefundRow, threshold: string): Promise<void> {
  await recordEvent(tx, 'payments', {
    aggregateType: 'payment',
    aggregateId: payment.id,
    event: 'refund_requested',
    tenantId: payment.tenantId,
    storeId: payment.storeId,
    data: { ...refundFacts(payment, refund), status: refund.status, approvalThreshold: new Decimal(threshold).toFixed(2) },
  });
}

export async function publishRefundRejected(tx: EntityManager, payment: PaymentRow, refund: RefundRow): Promise<void> {
  await recordEvent(tx, 'payments', {
    aggregateType: 'payment',
    aggregateId: payment.id,
    event: 'refund_rejected',
    tenantId: payment.tenantId,
    storeId: payment.storeId,
    data: { ...refundFacts(payment, refund), status: refund.status, rejectedBy: refund.rejectedBy, rejectionReason: refund.rejectionReason },
  });
}

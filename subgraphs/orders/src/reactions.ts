/**
 * How orders reacts to other subgraphs' events (DESIGN.md, choreography). Each handler runs in
 * the transaction that also records the event in the inbox, so a redelivery changes nothing.
 */
import { DomainError, type EntityManager, type EventHandler } from '@comanda/kit';
import type { OrderStatus } from './domain/lifecycle.ts';
import { UUID } from './domain/place-order.ts';
import { transitionOrder } from './services/order-lifecycle.ts';
import { mergeCustomerSegment } from './services/price-lists.ts';

export const PAYMENT_PENDING = 'comanda.payments.payment.pending.v1';
export const PAYMENT_AUTHORIZED = 'comanda.payments.payment.authorized.v1';
export const PAYMENT_CAPTURED = 'comanda.payments.payment.captured.v1';
export const CUSTOMER_MERGED = 'comanda.customers.customer.merged.v1';
export const CREDIT_HELD = 'comanda.credit.reservation.held.v1';
export const CREDIT_REJECTED = 'comanda.credit.reservation.rejected.v1';
export const SHIPMENT_DELIVERED = 'comanda.logistics.shipment.delivered.v1';

/**
 * An automatic transition that lost the race to a person (the order was cancelled or already
 * moved on) is not an error: the event simply no longer applies. Neither is an event about an
 * order this tenant does not have: retrying would not make it appear.
 */
const NOT_APPLICABLE = new Set(['INVALID_TRANSITION', 'ORDER_NOT_FOUND']);

async function moveIfStillPossible(em: EntityManager, orderId: string, to: OrderStatus, reason: string, actor: string): Promise<void> {
  try {
    await transitionOrder(em, { orderId, to, reason, actor });
  } catch (error) {
    if (error instanceof DomainError && NOT_APPLICABLE.has(error.errors[0]?.code ?? '')) return;
    throw error;
  }
}

function orderIdOf(data: Record<string, unknown>): string | null {
  return typeof data.orderId === 'string' ? data.orderId : null;
}

/** A fully paid order is confirmed; the payments subgraph refunds a payment on a cancelled order. */
export const confirmWhenPaid: EventHandler = {
  name: 'confirm-when-paid',
  types: [PAYMENT_CAPTURED],
  async handle(em, event) {
    const orderId = orderIdOf(event.data);
    if (!orderId || event.data.paymentStatus !== 'PAID') return;
    await moveIfStillPossible(em, orderId, 'CONFIRMED', 'PAID', 'system:payments');
  },
};

/** An order on account is confirmed when credit holds its amount, and cancelled when credit refuses it. */
export const creditDecision: EventHandler = {
  name: 'credit-decision',
  types: [CREDIT_HELD, CREDIT_REJECTED],
  async handle(em, event) {
    const orderId = orderIdOf(event.data);
    if (!orderId) return;
    if (event.type === CREDIT_HELD) {
      await moveIfStillPossible(em, orderId, 'CONFIRMED', 'CREDIT_APPROVED', 'system:credit');
    } else {
      const why = typeof event.data.reason === 'string' ? event.data.reason : 'UNKNOWN';
      await moveIfStillPossible(em, orderId, 'CANCELLED', `CREDIT_REJECTED: ${why}`, 'system:credit');
    }
  },
};

/**
 * A delivered shipment completes its order, stepping through every status still ahead of it so
 * the audit trail shows each (a cash-on-delivery order is still PENDING when the courier hands
 * it over: the COD payment follows from payments).
 */
export const completeOnDelivery: EventHandler = {
  name: 'complete-on-delivery',
  types: [SHIPMENT_DELIVERED],
  async handle(em, event) {
    const orderId = orderIdOf(event.data);
    if (!orderId) return;
    for (const step of ['CONFIRMED', 'PROCESSING', 'COMPLETED'] as const) {
      await moveIfStillPossible(em, orderId, step, 'DELIVERED', 'system:logistics');
    }
  },
};

/**
 * An order on which a payment was started is no longer a candidate for the pending-order
 * timeout (domain/pending-timeout.ts): the first such event stamps it.
 */
export const notePayment: EventHandler = {
  name: 'note-payment',
  types: [PAYMENT_PENDING, PAYMENT_AUTHORIZED, PAYMENT_CAPTURED],
  async handle(em, event) {
    const orderId = orderIdOf(event.data);
    if (!orderId || !UUID.test(orderId)) return;
    await em.execute('update sales_order set payment_seen_at = ? where id = ? and payment_seen_at is null', [
      new Date(event.time),
      orderId.toLowerCase(),
    ]);
  },
};

/** A merge in customers carries the merged customer's price segment over to the survivor (services/price-lists.ts). */
export const mergePricing: EventHandler = {
  name: 'merge-pricing',
  types: [CUSTOMER_MERGED],
  async handle(em, event) {
    const { customerId, survivorId } = event.data;
    if (typeof customerId !== 'string' || typeof survivorId !== 'string' || !UUID.test(customerId) || !UUID.test(survivorId)) return;
    await mergeCustomerSegment(em, event.tenantid, customerId.toLowerCase(), survivorId.toLowerCase());
  },
};

export const reactions: EventHandler[] = [confirmWhenPaid, creditDecision, completeOnDelivery, notePayment, mergePricing];

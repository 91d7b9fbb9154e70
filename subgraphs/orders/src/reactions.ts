/**
 * How orders reacts to other subgraphs' events (DESIGN.md, choreography). Each handler runs in
 * the transaction that also records the event in the inbox, so a redelivery changes nothing.
 */
import { DomainError, type EventHandler } from '@comanda/kit';
import { transitionOrder } from './services/order-lifecycle.ts';

/** A fully paid order is confirmed; a payment on an order already past PENDING changes nothing. */
export const confirmWhenPaid: EventHandler = {
  name: 'confirm-when-paid',
  types: ['comanda.payments.payment.captured.v1'],
  async handle(em, event) {
    const data = event.data as { orderId?: string; paymentStatus?: string };
    if (!data.orderId || data.paymentStatus !== 'PAID') return;
    try {
      await transitionOrder(em, { orderId: data.orderId, to: 'CONFIRMED', reason: 'PAID', actor: 'system:payments' });
    } catch (error) {
      // a cancelled or already completed order stays as it is; the payment is refunded by payments
      if (error instanceof DomainError && error.errors[0]?.code === 'INVALID_TRANSITION') return;
      throw error;
    }
  },
};

export const reactions: EventHandler[] = [confirmWhenPaid];

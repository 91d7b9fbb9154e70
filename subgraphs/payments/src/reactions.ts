/**
 * Payments' part of order-to-cash besides learning orders (events.ts): a cancelled order gets
 * back what was captured on it. The refunds go through the same service as refundPayment, with
 * idempotency keys derived from the order and payment, so a redelivered event refunds nothing twice.
 */
import { createLogger, Decimal, type EventHandler, type Identity } from '@comanda/kit';
import { Payment } from './entities.ts';
import { defaultProviders } from './providers/index.ts';
import { refundPayment } from './services/refund-payment.ts';

const deps = { providerFor: defaultProviders(), log: createLogger('payments') };

export const refundOnCancel: EventHandler = {
  name: 'refund-on-cancel',
  types: ['comanda.orders.order.cancelled.v1'],
  async handle(em, event) {
    const orderId = (event.data as { orderId: string }).orderId;
    const system: Identity = { tenantId: event.tenantid, userId: 'system:orders', roles: ['owner'], storeIds: null, printerId: null };
    const payments = await em.find(Payment, { orderId, state: { $in: ['CAPTURED', 'PARTIALLY_REFUNDED'] } }, { orderBy: { id: 'asc' } });
    for (const payment of payments) {
      const open = new Decimal(payment.amount).minus(payment.refundedAmount);
      if (open.lessThanOrEqualTo(0)) continue;
      const result = await refundPayment(
        em,
        system,
        { paymentId: payment.id, idempotencyKey: `cancel:${orderId}:${payment.id}`, amount: open.toFixed(2), reason: 'order cancelled' },
        deps,
      );
      // a declined or unavailable provider is retried with the event (and dead-lettered in the end)
      if (result.userErrors.length) throw new Error(`refund of ${payment.id} failed: ${result.userErrors.map((e) => e.code).join(', ')}`);
    }
  },
};

/**
 * Payments' part of order-to-cash besides learning orders (events.ts): a cancelled order gets
 * back what was captured on it, and the cash a courier collected on delivery becomes a captured
 * payment. Both go through the same services as the mutations, with idempotency keys derived
 * from the event's subject, so a redelivered event pays or refunds nothing twice.
 */
import { createLogger, Decimal, type EventHandler, type Identity, sum } from '@comanda/kit';
import { refundableAmount } from './domain/payment.ts';
import { Payment, Refund } from './entities.ts';
import type { Providers } from './providers/index.ts';
import type { PaymentDeps } from './services/common.ts';
import { recordPayment } from './services/record-payment.ts';
import { refundPayment } from './services/refund-payment.ts';

/**
 * A refund above the approval threshold is only requested here: an owner or manager approves
 * it like any other (the system never approves its own request).
 */
function refundOnCancel(deps: PaymentDeps): EventHandler {
  return {
    name: 'refund-on-cancel',
    types: ['comanda.orders.order.cancelled.v1'],
    async handle(em, event) {
      const orderId = (event.data as { orderId: string }).orderId;
      const system: Identity = { tenantId: event.tenantid, userId: 'system:orders', roles: ['owner'], storeIds: null, printerId: null };
      const payments = await em.find(Payment, { orderId, state: { $in: ['CAPTURED', 'PARTIALLY_REFUNDED'] } }, { orderBy: { id: 'asc' } });
      const waiting = await em.find(Refund, { orderId, status: 'PENDING_APPROVAL' });
      for (const payment of payments) {
        // refunds awaiting approval hold their share, this event's own from an earlier delivery included
        const held = sum(waiting.filter((r) => r.paymentId === payment.id).map((r) => r.amount));
        const open = refundableAmount(payment, held);
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
}

const COD_AMOUNT = /^\d{1,14}(\.\d{1,2})?$/;

/** The courier handed the parcel over and took the cash on delivery: that money is captured. */
function codOnDelivery(deps: PaymentDeps): EventHandler {
  return {
    name: 'cod-on-delivery',
    types: ['comanda.logistics.shipment.delivered.v1'],
    async handle(em, event) {
      const { shipmentId, orderId, codAmount } = event.data as { shipmentId?: string; orderId?: string; codAmount?: string | null };
      if (!codAmount || new Decimal(codAmount).isZero()) return;
      if (!shipmentId || !orderId || !COD_AMOUNT.test(codAmount))
        throw new Error('shipment.delivered: shipmentId, orderId or codAmount is malformed');
      const courier: Identity = { tenantId: event.tenantid, userId: 'system:logistics', roles: ['owner'], storeIds: null, printerId: null };
      const result = await recordPayment(em, courier, { orderId, idempotencyKey: `cod:${shipmentId}`, method: 'CASH', amount: codAmount }, deps);
      // ORDER_NOT_FOUND (placed not seen yet) is retried with the event; anything else is a real disagreement
      if (result.userErrors.length)
        throw new Error(`cash on delivery for ${orderId} not recorded: ${result.userErrors.map((e) => e.code).join(', ')}`);
    },
  };
}

export function createReactions(providers: Providers): EventHandler[] {
  const deps: PaymentDeps = { providers, log: createLogger('payments') };
  return [refundOnCancel(deps), codOnDelivery(deps)];
}

/**
 * Customers learns what customers buy from orders' events (it never calls orders). Each event
 * is applied with its inbox row in one transaction, so a redelivery changes nothing; placed and
 * cancelled share one handler, so an order's two events are applied in the order orders wrote
 * them.
 *   orders  order.placed with a customer  -> a purchase (Customer.stats, StoreMetrics counts)
 *   orders  order.cancelled               -> the purchase no longer counts
 */
import type { EventEnvelope, EventHandler } from '@comanda/kit';
import { cancellationOf, purchaseOfPlaced } from './domain/activity.ts';
import type { Actor } from './events.ts';
import { cancelPurchase, recordPurchase } from './services/activity.ts';

export const ORDER_PLACED = 'comanda.orders.order.placed.v1';
export const ORDER_CANCELLED = 'comanda.orders.order.cancelled.v1';

const systemActor = (event: EventEnvelope): Actor => ({ tenantId: event.tenantid, userId: 'system:orders', traceparent: event.traceparent ?? null });

export const purchasesOnOrders: EventHandler = {
  name: 'purchases',
  types: [ORDER_PLACED, ORDER_CANCELLED],
  async handle(em, event) {
    // a malformed event throws: retried, then dead-lettered with the reason
    if (event.type === ORDER_CANCELLED) {
      await cancelPurchase(em, systemActor(event), cancellationOf(event.data), new Date(event.time));
      return;
    }
    const purchase = purchaseOfPlaced(event.data);
    if (purchase) await recordPurchase(em, systemActor(event), purchase);
  },
};

export const reactions: EventHandler[] = [purchasesOnOrders];

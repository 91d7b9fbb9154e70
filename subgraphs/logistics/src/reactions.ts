/**
 * Logistics' part of order-to-cash (DESIGN.md, choreography). One handler for all of an order's
 * events, so they are applied in the order orders published them: a cancellation is never
 * handled before the placement it cancels. Each runs in the transaction that records the event
 * in the inbox, so a redelivery changes nothing.
 */
import type { EventHandler } from '@comanda/kit';
import { ORDER_CANCELLED, ORDER_COMPLETED, ORDER_CONFIRMED, ORDER_PLACED, parseOrderPlaced, parseOrderTransition } from './events.ts';
import { consumeForOrder, noteOrderStatus, releaseForOrder, reserveForOrder } from './services/reservations.ts';

export const orderStock: EventHandler = {
  name: 'order-stock',
  types: [ORDER_PLACED, ORDER_CONFIRMED, ORDER_COMPLETED, ORDER_CANCELLED],
  async handle(em, event) {
    const at = new Date(event.time);
    if (event.type === ORDER_PLACED) return reserveForOrder(em, event.tenantid, parseOrderPlaced(event.data), at);
    const transition = parseOrderTransition(event.data);
    if (event.type === ORDER_CANCELLED) return releaseForOrder(em, transition.orderId);
    await noteOrderStatus(em, transition.orderId, transition.to);
    // a POS sale is handed over at the till once confirmed; other orders leave when completed
    if (event.type === ORDER_COMPLETED || transition.channel === 'POS') await consumeForOrder(em, transition.orderId, at);
  },
};

export const reactions: EventHandler[] = [orderStock];

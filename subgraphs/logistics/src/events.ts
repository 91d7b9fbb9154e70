/**
 * What logistics publishes (subgraph `logistics`, one topic per aggregate):
 *   stock.received | adjusted | transferred_out | transferred_in | sold | returned
 *       one per ledger entry; aggregate `stock`, id `<locationId>:<variantId>`, with on hand and
 *       available after the entry
 *   reservation.held | consumed | released
 *       an order's stock; aggregate `reservation`, id the order id
 *   shipment.created, then shipment.<status> for every status reached (picked_up, in_transit,
 *       out_for_delivery, delivered, failed_delivery, returned, ...); aggregate `shipment`
 * and what it consumes: orders' order.placed (hold stock), order.confirmed (a POS sale is handed
 * over: sold), order.completed (sold) and order.cancelled (release; sold goods come back).
 */
import { Decimal } from '@comanda/kit';
import { UUID } from './domain/stock.ts';

export const ORDER_PLACED = 'comanda.orders.order.placed.v1';
export const ORDER_CONFIRMED = 'comanda.orders.order.confirmed.v1';
export const ORDER_COMPLETED = 'comanda.orders.order.completed.v1';
export const ORDER_CANCELLED = 'comanda.orders.order.cancelled.v1';

export interface PlacedLine {
  lineId: string;
  variantId: string;
  quantity: Decimal;
}

export interface PlacedOrder {
  orderId: string;
  storeId: string;
  channel: string;
  status: string;
  currency: string;
  total: string;
  lines: PlacedLine[];
}

const uuid = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || !UUID.test(value)) throw new Error(`order event: ${what} is not a UUID`);
  return value.toLowerCase();
};

/** A malformed event is a bug upstream: throwing sends it to the dead-letter table, not into ours. */
export function parseOrderPlaced(data: Record<string, unknown>): PlacedOrder {
  const { channel, status, currency, total, lines } = data;
  if (typeof channel !== 'string' || !channel) throw new Error('order.placed: channel is missing');
  if (typeof status !== 'string' || !status) throw new Error('order.placed: status is missing');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new Error('order.placed: currency is not an ISO 4217 code');
  if (typeof total !== 'string' || !/^\d{1,14}(\.\d{1,4})?$/.test(total)) throw new Error('order.placed: total is not a non-negative decimal string');
  if (!Array.isArray(lines)) throw new Error('order.placed: lines is not a list');
  return {
    orderId: uuid(data.orderId, 'orderId'),
    storeId: uuid(data.storeId, 'storeId'),
    channel,
    status,
    currency,
    total,
    lines: lines.map((line: Record<string, unknown>) => {
      const quantity = typeof line.quantity === 'string' && /^\d{1,14}(\.\d{1,4})?$/.test(line.quantity) ? new Decimal(line.quantity) : null;
      if (!quantity?.gt(0)) throw new Error('order.placed: a line quantity is not a positive decimal string');
      return { lineId: uuid(line.lineId, 'lineId'), variantId: uuid(line.variantId, 'variantId'), quantity };
    }),
  };
}

export interface OrderTransition {
  orderId: string;
  channel: string;
  /** the status the order moved to */
  to: string;
}

export function parseOrderTransition(data: Record<string, unknown>): OrderTransition {
  const { channel, to } = data;
  if (typeof channel !== 'string' || !channel) throw new Error('order transition: channel is missing');
  if (typeof to !== 'string' || !to) throw new Error('order transition: to is missing');
  return { orderId: uuid(data.orderId, 'orderId'), channel, to };
}

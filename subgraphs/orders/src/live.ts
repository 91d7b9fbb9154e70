/**
 * What orders serves live (the Subscription type in schema.graphql), read from the event stream
 * by each instance (kit's live feed; docs/subscriptions.md):
 *   orderChanged(storeId)         a change to one of the store's orders, from whichever subgraph made it
 *   storeMetricsChanged(storeId)  any event of the store on a topic whose aggregates the metrics count;
 *                                 the metrics are re-read for it, coalesced
 */
import { type CloudEvent, topicOf } from '@comanda/kafka';
import { type LiveFeed, liveChannel, liveMessage } from '@comanda/kit';

export type OrderChangeType = 'PLACED' | 'STATUS_CHANGED' | 'PAYMENT_CHANGED' | 'FULFILLMENT_CHANGED' | 'CANCELLED';

/** The payload of orderChanged; `order` is read per event (OrderChange.order in resolvers.ts). */
export interface OrderChangePayload {
  type: OrderChangeType;
  orderId: string;
  at: string;
}

export interface StoreMetricsPayload {
  storeId: string;
}

/** A store's metrics are re-read at most about once a second however many events arrive. */
export const METRICS_COALESCE_MS = 1000;

/**
 * Event types by what they change about an order. A receipt or an invoice is the fiscal record
 * of the order's payment, so issuing one is a PAYMENT_CHANGED: that is the event that makes
 * `receipt` (or `invoice`) appear on a board, after the payment and the confirmation that
 * caused it.
 */
const CHANGE_BY_TYPE: ReadonlyArray<[RegExp, OrderChangeType]> = [
  [/^comanda\.orders\.order\.placed\.v\d+$/, 'PLACED'],
  [/^comanda\.orders\.order\.cancelled\.v\d+$/, 'CANCELLED'],
  [/^comanda\.orders\.order\.(confirmed|processing|completed)\.v\d+$/, 'STATUS_CHANGED'],
  [/^comanda\.payments\.payment\.[a-z_]+\.v\d+$/, 'PAYMENT_CHANGED'],
  [/^comanda\.fiscal\.(receipt|invoice)\.issued\.v\d+$/, 'PAYMENT_CHANGED'],
  [/^comanda\.logistics\.shipment\.[a-z_]+\.v\d+$/, 'FULFILLMENT_CHANGED'],
];

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** The store an event belongs to: the envelope's, or the one its data names. */
export function storeOf(event: CloudEvent): string | null {
  return text(event.storeid) ?? text(event.data.storeId);
}

/** What an event means for orderChanged, or null when it is not about an order. */
export function orderChangeOf(event: CloudEvent): OrderChangePayload | null {
  const orderId = text(event.data.orderId);
  const type = CHANGE_BY_TYPE.find(([pattern]) => pattern.test(event.type))?.[1];
  return orderId && type ? { type, orderId: orderId.toLowerCase(), at: event.time } : null;
}

/**
 * The aggregates StoreMetrics counts (orders, payments, receipts, invoices, shipments, credit
 * reservations, customers' purchase activity), which are also every source of orderChanged.
 * Stock, customer records, credit profiles and print jobs move no metric: reading them would
 * only re-read unchanged metrics, and every topic is one more reader to feed (on the embedded
 * log, one more poll).
 */
export const LIVE_TOPICS = [
  topicOf('orders', 'order'),
  topicOf('payments', 'payment'),
  topicOf('fiscal', 'receipt'),
  topicOf('fiscal', 'invoice'),
  topicOf('logistics', 'shipment'),
  topicOf('credit', 'reservation'),
  // a merge moves customersToday without any order event
  topicOf('customers', 'activity'),
];

export const liveFeed: LiveFeed = {
  topics: LIVE_TOPICS,
  route(event, hub) {
    const storeId = storeOf(event);
    if (!storeId) return;
    hub.publish(liveChannel('storeMetricsChanged', event.tenantid, storeId), liveMessage<StoreMetricsPayload>(event, { storeId }, storeId));
    const change = orderChangeOf(event);
    if (change) hub.publish(liveChannel('orderChanged', event.tenantid, storeId), liveMessage(event, change, storeId));
  },
};

import type { CloudEvent } from '@comanda/kafka';
import { type Identity, LiveHub, liveChannel } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { LIVE_TOPICS, liveFeed, orderChangeOf, storeOf } from '../src/live.ts';

const ORDER = '0193a5c4-7d2e-7b1a-9f00-000000000001';
const STORE = '0193a5c4-7d2e-7b1a-9f00-0000000000aa';

const event = (type: string, data: Record<string, unknown> = { orderId: ORDER }, storeid: string | null = STORE): CloudEvent => ({
  specversion: '1.0',
  id: crypto.randomUUID(),
  source: type.split('.')[1]!,
  type,
  subject: 'x',
  time: '2026-01-02T03:04:05.000Z',
  tenantid: 'demo',
  storeid,
  sequence: 1,
  traceparent: null,
  datacontenttype: 'application/json',
  data,
});

describe('what an event means for orderChanged', () => {
  it.each([
    ['comanda.orders.order.placed.v1', 'PLACED'],
    ['comanda.orders.order.confirmed.v1', 'STATUS_CHANGED'],
    ['comanda.orders.order.processing.v1', 'STATUS_CHANGED'],
    ['comanda.orders.order.completed.v1', 'STATUS_CHANGED'],
    ['comanda.orders.order.cancelled.v1', 'CANCELLED'],
    ['comanda.payments.payment.captured.v1', 'PAYMENT_CHANGED'],
    ['comanda.payments.payment.refunded.v1', 'PAYMENT_CHANGED'],
    ['comanda.fiscal.receipt.issued.v1', 'PAYMENT_CHANGED'],
    ['comanda.fiscal.invoice.issued.v1', 'PAYMENT_CHANGED'],
    ['comanda.logistics.shipment.in_transit.v1', 'FULFILLMENT_CHANGED'],
    ['comanda.logistics.shipment.delivered.v1', 'FULFILLMENT_CHANGED'],
  ])('%s is %s, at the event time', (type, change) => {
    expect(orderChangeOf(event(type))).toEqual({ type: change, orderId: ORDER, at: '2026-01-02T03:04:05.000Z' });
  });

  it('ignores events without an order and events of other aggregates', () => {
    expect(orderChangeOf(event('comanda.payments.payment.captured.v1', {}))).toBeNull();
    expect(orderChangeOf(event('comanda.credit.reservation.held.v1'))).toBeNull();
    expect(orderChangeOf(event('comanda.logistics.stock.sold.v1'))).toBeNull();
  });

  it("takes the store from the envelope, or else from the event's data", () => {
    expect(storeOf(event('comanda.orders.order.placed.v1'))).toBe(STORE);
    expect(storeOf(event('comanda.orders.order.placed.v1', { storeId: 'other' }, null))).toBe('other');
    expect(storeOf(event('comanda.customers.customer.created.v1', {}, null))).toBeNull();
  });
});

describe('the orders live feed', () => {
  const identity: Identity = { tenantId: 'demo', userId: 'u', roles: ['manager'], storeIds: null, printerId: null };

  it("reads every topic orderChanged needs, and routes an order's event to its store's board and metrics", async () => {
    expect(LIVE_TOPICS).toEqual(expect.arrayContaining(['comanda.orders.order.v1', 'comanda.payments.payment.v1', 'comanda.fiscal.receipt.v1']));
    const hub = new LiveHub();
    const board = hub.subscribe(liveChannel('orderChanged', 'demo', STORE), identity);
    const metrics = hub.subscribe(liveChannel('storeMetricsChanged', 'demo', STORE), identity);
    const elsewhere = hub.subscribe(liveChannel('orderChanged', 'demo', crypto.randomUUID()), identity);
    liveFeed.route(event('comanda.payments.payment.captured.v1'), hub);
    liveFeed.route(event('comanda.credit.reservation.held.v1'), hub);
    expect((await board.next()).value?.value.payload).toEqual({ type: 'PAYMENT_CHANGED', orderId: ORDER, at: '2026-01-02T03:04:05.000Z' });
    expect(board.size).toBe(0);
    // the metrics follow both events (coalescing is the subscriber's)
    expect((await metrics.next()).value?.value.payload).toEqual({ storeId: STORE });
    expect(metrics.size).toBe(1);
    expect(elsewhere.size).toBe(0);
  });
});

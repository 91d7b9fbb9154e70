import { DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  applyCarrierNews,
  checkCod,
  decideTransition,
  fulfillmentStatus,
  type ShipmentStatus,
  shipmentFingerprint,
  validateShipmentRequest,
  validateTrackingNews,
} from '../src/domain/shipment.ts';

const ORDER = '0193a000-0000-7000-8000-0000000000aa';
const STORE = '0193a000-0000-7000-8000-0000000000bb';

function codesOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((e) => e.code);
    throw error;
  }
  return [];
}

const of = (...statuses: ShipmentStatus[]) => statuses.map((status) => ({ status }));

describe('shipment status machine', () => {
  it.each([
    ['CREATED', 'LABEL_PURCHASED', 'apply'],
    ['LABEL_PURCHASED', 'PICKED_UP', 'apply'],
    ['PICKED_UP', 'DELIVERED', 'apply'],
    ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'apply'],
    ['OUT_FOR_DELIVERY', 'IN_TRANSIT', 'apply'],
    ['OUT_FOR_DELIVERY', 'FAILED_DELIVERY', 'apply'],
    ['FAILED_DELIVERY', 'OUT_FOR_DELIVERY', 'apply'],
    ['FAILED_DELIVERY', 'RETURNED', 'apply'],
    ['LABEL_PURCHASED', 'CANCELLED', 'apply'],
    ['IN_TRANSIT', 'IN_TRANSIT', 'noop'],
    ['DELIVERED', 'DELIVERED', 'noop'],
    ['DELIVERED', 'IN_TRANSIT', 'invalid'],
    ['DELIVERED', 'RETURNED', 'invalid'],
    ['RETURNED', 'OUT_FOR_DELIVERY', 'invalid'],
    ['CANCELLED', 'PICKED_UP', 'invalid'],
    ['IN_TRANSIT', 'CANCELLED', 'invalid'],
    ['CREATED', 'DELIVERED', 'invalid'],
  ] as const)('%s -> %s is %s', (from, to, decision) => {
    expect(decideTransition(from, to)).toBe(decision);
  });

  it('applies carrier news in order and keeps late scans out of the status', () => {
    const { status, changes } = applyCarrierNews('LABEL_PURCHASED', of('PICKED_UP', 'IN_TRANSIT', 'DELIVERED', 'OUT_FOR_DELIVERY'));
    expect(status).toBe('DELIVERED');
    expect(changes).toEqual([
      { from: 'LABEL_PURCHASED', to: 'PICKED_UP', index: 0 },
      { from: 'PICKED_UP', to: 'IN_TRANSIT', index: 1 },
      { from: 'IN_TRANSIT', to: 'DELIVERED', index: 2 },
    ]);
  });

  it('repeated news changes nothing', () => {
    expect(applyCarrierNews('IN_TRANSIT', of('IN_TRANSIT', 'PICKED_UP'))).toEqual({ status: 'IN_TRANSIT', changes: [] });
  });
});

describe('fulfillment status of an order', () => {
  it.each([
    [[], false, 'UNFULFILLED'],
    [[], true, 'FULFILLED'],
    [['CANCELLED'], false, 'UNFULFILLED'],
    [['CREATED'], false, 'FULFILLED'],
    [['LABEL_PURCHASED'], false, 'FULFILLED'],
    [['PICKED_UP'], false, 'SHIPPED'],
    [['LABEL_PURCHASED', 'IN_TRANSIT'], false, 'SHIPPED'],
    [['FAILED_DELIVERY'], false, 'SHIPPED'],
    [['DELIVERED', 'OUT_FOR_DELIVERY'], false, 'SHIPPED'],
    [['DELIVERED'], false, 'DELIVERED'],
    [['DELIVERED', 'CANCELLED'], false, 'DELIVERED'],
    [['DELIVERED', 'RETURNED'], false, 'DELIVERED'],
    [['RETURNED'], false, 'RETURNED'],
    [['RETURNED', 'RETURNED', 'CANCELLED'], true, 'RETURNED'],
  ] as [ShipmentStatus[], boolean, string][])('shipments %j, handed over %s: %s', (statuses, handedOver, expected) => {
    expect(fulfillmentStatus(of(...statuses), handedOver)).toBe(expected);
  });
});

describe('createShipment requests', () => {
  const valid = { orderId: ORDER.toUpperCase(), storeId: STORE, idempotencyKey: 'ship-1' };

  it('defaults the carrier and normalizes ids and the carrier name', () => {
    expect(validateShipmentRequest(valid, ['sandbox'], 'sandbox')).toMatchObject({ orderId: ORDER, carrier: 'sandbox', codAmount: null });
    expect(validateShipmentRequest({ ...valid, carrier: ' SandBox ' }, ['sandbox'], 'sandbox').carrier).toBe('sandbox');
  });

  it('reports an unknown carrier, a malformed order id, a bad key and a bad COD amount together', () => {
    expect(
      codesOf(() =>
        validateShipmentRequest({ orderId: 'x', storeId: STORE, carrier: 'dhl', codAmount: '1.001', idempotencyKey: '' }, ['sandbox'], 'sandbox'),
      ),
    ).toEqual(['INVALID_IDEMPOTENCY_KEY', 'ORDER_NOT_FOUND', 'UNKNOWN_CARRIER', 'INVALID_AMOUNT']);
    expect(codesOf(() => validateShipmentRequest({ ...valid, codAmount: '0' }, ['sandbox'], 'sandbox'))).toEqual(['INVALID_AMOUNT']);
  });

  it('fingerprints COD amounts by value', () => {
    const a = validateShipmentRequest({ ...valid, codAmount: '10' }, ['sandbox'], 'sandbox');
    const b = validateShipmentRequest({ ...valid, codAmount: '10.00', idempotencyKey: 'other' }, ['sandbox'], 'sandbox');
    expect(shipmentFingerprint(a)).toEqual(shipmentFingerprint(b));
  });

  it('collects at most the order total on delivery', () => {
    const request = validateShipmentRequest({ ...valid, codAmount: '100.01' }, ['sandbox'], 'sandbox');
    expect(codesOf(() => checkCod(request.codAmount, '100.00'))).toEqual(['COD_EXCEEDS_ORDER_TOTAL']);
    expect(codesOf(() => checkCod(request.codAmount, '100.0100'))).toEqual([]);
    expect(codesOf(() => checkCod(null, '0'))).toEqual([]);
  });
});

describe('tracking news', () => {
  const now = new Date('2025-09-01T10:00:00Z');

  it('defaults the time to now and trims the location', () => {
    expect(validateTrackingNews({ status: 'DELIVERED', location: '  Cluj  ' }, now)).toEqual({ status: 'DELIVERED', location: 'Cluj', at: now });
  });

  it('refuses news from the future and over-long locations', () => {
    const later = new Date(now.getTime() + 6 * 60_000);
    expect(codesOf(() => validateTrackingNews({ status: 'DELIVERED', location: 'x'.repeat(201), at: later }, now))).toEqual([
      'TRACKING_LOCATION_TOO_LONG',
      'INVALID_EVENT_TIME',
    ]);
    expect(codesOf(() => validateTrackingNews({ status: 'DELIVERED', at: new Date(now.getTime() + 60_000) }, now))).toEqual([]);
  });
});

/**
 * Shipment rules without I/O: the status machine as data, how carrier news moves a shipment,
 * what an order's fulfillment status is, and what a shipment request may contain.
 */
import { Decimal, DomainError, type UserError, userError } from '@comanda/kit';
import { checkIdempotencyKey, UUID } from './stock.ts';

export const SHIPMENT_STATUSES = [
  'CREATED',
  'LABEL_PURCHASED',
  'PICKED_UP',
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'DELIVERED',
  'FAILED_DELIVERY',
  'RETURNED',
  'CANCELLED',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/**
 * Carriers skip scans (a parcel may be delivered without an OUT_FOR_DELIVERY scan), so forward
 * jumps are allowed; a failed delivery is retried or sent back; a parcel out for delivery may
 * return to the depot. DELIVERED, RETURNED and CANCELLED are final (returns after delivery are RMAs).
 */
export const TRANSITIONS: Readonly<Record<ShipmentStatus, readonly ShipmentStatus[]>> = {
  CREATED: ['LABEL_PURCHASED', 'PICKED_UP', 'CANCELLED'],
  LABEL_PURCHASED: ['PICKED_UP', 'IN_TRANSIT', 'CANCELLED'],
  PICKED_UP: ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'FAILED_DELIVERY', 'RETURNED'],
  IN_TRANSIT: ['OUT_FOR_DELIVERY', 'DELIVERED', 'FAILED_DELIVERY', 'RETURNED'],
  OUT_FOR_DELIVERY: ['IN_TRANSIT', 'DELIVERED', 'FAILED_DELIVERY', 'RETURNED'],
  FAILED_DELIVERY: ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'RETURNED'],
  DELIVERED: [],
  RETURNED: [],
  CANCELLED: [],
};

/** With the carrier and on its way: StoreMetrics.shipmentsInTransit counts these. */
export const IN_TRANSIT_STATUSES: readonly ShipmentStatus[] = ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY'];

/** The parcel has left the store (whatever happened to it since). */
const LEFT_THE_STORE: ReadonlySet<ShipmentStatus> = new Set([...IN_TRANSIT_STATUSES, 'FAILED_DELIVERY', 'DELIVERED', 'RETURNED']);

/** `noop` when the shipment already has the status: repeated news is harmless and writes nothing. */
export type TransitionDecision = 'apply' | 'noop' | 'invalid';

export function decideTransition(from: ShipmentStatus, to: ShipmentStatus): TransitionDecision {
  if (from === to) return 'noop';
  return TRANSITIONS[from].includes(to) ? 'apply' : 'invalid';
}

export interface StatusChange {
  from: ShipmentStatus;
  to: ShipmentStatus;
  /** the index of the carrier event that caused it */
  index: number;
}

/**
 * Applies carrier news in the order it happened. News the machine does not allow (a late scan
 * arriving after the delivery) is kept as history by the caller but does not move the shipment.
 */
export function applyCarrierNews(
  current: ShipmentStatus,
  news: readonly { status: ShipmentStatus }[],
): { status: ShipmentStatus; changes: StatusChange[] } {
  let status = current;
  const changes: StatusChange[] = [];
  news.forEach((event, index) => {
    if (decideTransition(status, event.status) !== 'apply') return;
    changes.push({ from: status, to: event.status, index });
    status = event.status;
  });
  return { status, changes };
}

export type FulfillmentStatus = 'UNFULFILLED' | 'PARTIALLY_FULFILLED' | 'FULFILLED' | 'SHIPPED' | 'DELIVERED' | 'RETURNED';

/**
 * An order's fulfillment from its shipments (cancelled ones do not count). Without shipments an
 * order is FULFILLED when its goods were handed over at the counter (its stock was sold).
 * PARTIALLY_FULFILLED needs shipments that carry order lines, which do not exist yet.
 */
export function fulfillmentStatus(shipments: readonly { status: ShipmentStatus }[], handedOver: boolean): FulfillmentStatus {
  const live = shipments.filter((s) => s.status !== 'CANCELLED');
  if (!live.length) return handedOver ? 'FULFILLED' : 'UNFULFILLED';
  if (live.every((s) => s.status === 'RETURNED')) return 'RETURNED';
  if (live.every((s) => s.status === 'DELIVERED' || s.status === 'RETURNED')) return 'DELIVERED';
  if (live.some((s) => LEFT_THE_STORE.has(s.status))) return 'SHIPPED';
  return 'FULFILLED';
}

export interface CreateShipmentInput {
  orderId: string;
  storeId: string;
  carrier?: string | null;
  codAmount?: string | null;
  idempotencyKey: string;
}

export interface ShipmentRequest {
  orderId: string;
  storeId: string;
  carrier: string;
  codAmount: Decimal | null;
  idempotencyKey: string;
}

/** Checks a createShipment request's shape against the configured carriers, reporting every problem. */
export function validateShipmentRequest(input: CreateShipmentInput, carriers: readonly string[], defaultCarrier: string): ShipmentRequest {
  const errors: UserError[] = [];
  const idempotencyKey = checkIdempotencyKey(input.idempotencyKey, errors);
  if (!UUID.test(input.orderId)) errors.push(userError('ORDER_NOT_FOUND', `no order ${input.orderId}`, ['input', 'orderId']));
  const carrier = input.carrier?.trim().toLowerCase() || defaultCarrier;
  if (!carriers.includes(carrier)) {
    errors.push(userError('UNKNOWN_CARRIER', `no carrier ${carrier}; configured: ${carriers.join(', ')}`, ['input', 'carrier']));
  }
  let codAmount: Decimal | null = null;
  if (input.codAmount !== null && input.codAmount !== undefined) {
    codAmount = new Decimal(input.codAmount);
    if (codAmount.lte(0) || codAmount.decimalPlaces() > 2) {
      errors.push(userError('INVALID_AMOUNT', 'the cash on delivery amount is more than 0 with at most 2 decimals', ['input', 'codAmount']));
    }
  }
  if (errors.length) throw DomainError.many(errors);
  return { orderId: input.orderId.toLowerCase(), storeId: input.storeId.toLowerCase(), carrier, codAmount, idempotencyKey };
}

export function shipmentFingerprint(request: ShipmentRequest): Record<string, unknown> {
  return { orderId: request.orderId, storeId: request.storeId, carrier: request.carrier, codAmount: request.codAmount?.toFixed(2) ?? null };
}

/** The courier collects at most what the customer owes for the order. */
export function checkCod(codAmount: Decimal | null, orderTotal: string): void {
  if (codAmount?.gt(orderTotal)) {
    throw new DomainError(
      'COD_EXCEEDS_ORDER_TOTAL',
      `cash on delivery ${codAmount.toFixed(2)} is more than the order's total ${new Decimal(orderTotal).toFixed(2)}`,
      ['input', 'codAmount'],
    );
  }
}

const MAX_TRACKING_LOCATION = 200;
/** Clocks differ a little; news from further in the future is a mistake. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface TrackingNews {
  status: ShipmentStatus;
  location: string | null;
  at: Date;
}

export function validateTrackingNews(input: { status: ShipmentStatus; location?: string | null; at?: Date | null }, now: Date): TrackingNews {
  const errors: UserError[] = [];
  const location = input.location?.trim() || null;
  if (location && location.length > MAX_TRACKING_LOCATION) {
    errors.push(userError('TRACKING_LOCATION_TOO_LONG', `location has at most ${MAX_TRACKING_LOCATION} characters`, ['input', 'location']));
  }
  const at = input.at ?? now;
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS)
    errors.push(userError('INVALID_EVENT_TIME', 'the event cannot be in the future', ['input', 'at']));
  if (errors.length) throw DomainError.many(errors);
  return { status: input.status, location, at };
}

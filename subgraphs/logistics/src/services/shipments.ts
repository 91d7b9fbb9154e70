import {
  canUseStore,
  Decimal,
  DomainError,
  type EntityManager,
  fingerprint,
  type Identity,
  type Logger,
  type Payload,
  recordEvent,
  requireStore,
  retryOnConflict,
  runMutation,
} from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { type CarrierAdapter, CarrierRejected, CarrierUnavailable } from '../carriers/carrier.ts';
import type { Carriers } from '../carriers/index.ts';
import {
  applyCarrierNews,
  type CreateShipmentInput,
  checkCod,
  decideTransition,
  type ShipmentStatus,
  shipmentFingerprint,
  validateShipmentRequest,
  validateTrackingNews,
} from '../domain/shipment.ts';
import { UUID } from '../domain/stock.ts';
import { OrderRef, Shipment, type ShipmentRow, TrackingEvent } from '../entities.ts';

export interface ShipmentDeps {
  carriers: Carriers;
  log: Logger;
}

export type CreateShipmentPayload = Payload<{ shipment: ShipmentRow }> & { replayed: boolean };
export type ShipmentPayload = Payload<{ shipment: ShipmentRow }>;

/** A label booked in an attempt whose transaction may still fail. */
interface Booking {
  carrier: CarrierAdapter;
  trackingNumber: string;
}

/**
 * Books a shipment for an order with a carrier: the row claims the idempotency key before the
 * carrier is called, so a concurrent duplicate waits and then replays instead of booking twice.
 * A label booked in a transaction that does not commit is voided at the carrier.
 */
export async function createShipment(
  em: EntityManager,
  identity: Identity,
  input: CreateShipmentInput,
  deps: ShipmentDeps,
): Promise<CreateShipmentPayload> {
  return retryOnConflict(async () => {
    const bookings: Booking[] = [];
    try {
      const result = await runMutation(em, { shipment: null, replayed: null }, (tx) => attempt(tx, identity, input, deps, bookings));
      if (result.userErrors.length) await voidBookings(bookings, deps);
      return { ...result, replayed: result.replayed ?? false };
    } catch (error) {
      await voidBookings(bookings, deps);
      throw error;
    }
  });
}

async function attempt(tx: EntityManager, identity: Identity, input: CreateShipmentInput, deps: ShipmentDeps, bookings: Booking[]) {
  const request = validateShipmentRequest(input, deps.carriers.names, deps.carriers.defaultName);
  requireStore(identity, request.storeId);
  const requestFingerprint = fingerprint(shipmentFingerprint(request));
  const replay = async () => {
    const earlier = await tx.findOne(Shipment, { idempotencyKey: request.idempotencyKey }, { refresh: true });
    if (!earlier) return null;
    requireStore(identity, earlier.storeId);
    if (earlier.requestFingerprint !== requestFingerprint) {
      throw new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different request', ['input', 'idempotencyKey']);
    }
    return { shipment: earlier, replayed: true };
  };

  const first = await replay();
  if (first) return first;
  // the order's row serializes its shipments and the reactions to its events
  const order = await tx.findOne(OrderRef, { orderId: request.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!order || order.storeId !== request.storeId) {
    throw new DomainError(
      'ORDER_NOT_FOUND',
      'logistics does not know this order in this store (yet): a just-placed order arrives within seconds, retry',
      ['input', 'orderId'],
    );
  }
  const raced = await replay();
  if (raced) return raced;
  if (order.status === 'CANCELLED') throw new DomainError('ORDER_CANCELLED', 'a cancelled order is not shipped', ['input', 'orderId']);
  checkCod(request.codAmount, order.total);

  const now = new Date();
  const shipment = tx.create(Shipment, {
    id: uuidv7(),
    tenantId: identity.tenantId,
    orderId: order.orderId,
    storeId: order.storeId,
    status: 'CREATED',
    carrier: request.carrier,
    trackingNumber: null,
    labelPdf: null,
    codAmount: request.codAmount?.toFixed(2) ?? null,
    currency: order.currency,
    idempotencyKey: request.idempotencyKey,
    requestFingerprint,
    createdBy: identity.userId,
    createdAt: now,
    updatedAt: now,
  });
  // the row first: the unit of work does not know that tracking events reference it
  await tx.flush();
  track(tx, shipment, { status: 'CREATED', location: null, at: now }, 'SYSTEM', identity.userId);
  await tx.flush();

  const carrier = deps.carriers.get(request.carrier);
  const booking = await callCarrier(
    () => carrier.createShipment({ reference: shipment.id, orderId: order.orderId, codAmount: shipment.codAmount ?? null, currency: order.currency }),
    ['input', 'carrier'],
  );
  bookings.push({ carrier, trackingNumber: booking.trackingNumber });
  shipment.trackingNumber = booking.trackingNumber;
  shipment.labelPdf = booking.label;
  shipment.status = 'LABEL_PURCHASED';
  track(tx, shipment, { status: 'LABEL_PURCHASED', location: null, at: new Date() }, 'SYSTEM', identity.userId);
  await tx.flush();
  await publish(tx, shipment, 'created', { from: null, location: null, at: now });
  return { shipment, replayed: false };
}

/** Carrier calls as domain outcomes: nothing was booked, and the client learns whether to retry. */
async function callCarrier<T>(call: () => Promise<T>, field: string[]): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CarrierUnavailable) {
      throw new DomainError('CARRIER_UNAVAILABLE', 'the carrier did not answer; nothing changed, retry in a moment', field);
    }
    if (error instanceof CarrierRejected) {
      throw new DomainError('CARRIER_REJECTED', `the carrier refused (${error.code}): ${error.message}`, field);
    }
    throw error;
  }
}

async function voidBookings(bookings: Booking[], deps: ShipmentDeps): Promise<void> {
  for (const b of bookings.splice(0)) {
    await b.carrier.cancel(b.trackingNumber).catch((error: unknown) => {
      deps.log.error(
        { err: error, carrier: b.carrier.name, trackingNumber: b.trackingNumber },
        'a label was booked but not recorded, and voiding it failed',
      );
    });
  }
}

function track(
  tx: EntityManager,
  shipment: ShipmentRow,
  news: { status: ShipmentStatus; location: string | null; at: Date },
  source: 'SYSTEM' | 'CARRIER' | 'MANUAL',
  recordedBy: string,
  carrierEventId: string | null = null,
): void {
  tx.create(TrackingEvent, {
    id: uuidv7(),
    tenantId: shipment.tenantId,
    shipmentId: shipment.id,
    status: news.status,
    location: news.location,
    at: news.at,
    source,
    carrierEventId,
    recordedBy,
    recordedAt: new Date(),
  });
}

/**
 * shipment.created, then one event per status reached (shipment.picked_up, shipment.delivered,
 * ...), each with the shipment's figures: payments turns a delivered COD into a captured payment.
 */
async function publish(
  tx: EntityManager,
  shipment: ShipmentRow,
  event: string,
  change: { from: ShipmentStatus | null; location: string | null; at: Date },
) {
  await recordEvent(tx, 'logistics', {
    aggregateType: 'shipment',
    aggregateId: shipment.id,
    event,
    tenantId: shipment.tenantId,
    storeId: shipment.storeId,
    data: {
      shipmentId: shipment.id,
      orderId: shipment.orderId,
      storeId: shipment.storeId,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      from: change.from,
      status: shipment.status,
      codAmount: shipment.codAmount == null ? null : new Decimal(shipment.codAmount).toFixed(2),
      currency: shipment.currency,
      location: change.location,
      at: change.at.toISOString(),
    },
  });
}

async function lockShipment(tx: EntityManager, identity: Identity, shipmentId: string): Promise<ShipmentRow> {
  const shipment = UUID.test(shipmentId)
    ? await tx.findOne(Shipment, { id: shipmentId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!shipment || !canUseStore(identity, shipment.storeId)) {
    throw new DomainError('SHIPMENT_NOT_FOUND', `no shipment ${shipmentId}`, ['input', 'shipmentId']);
  }
  return shipment;
}

async function moveTo(tx: EntityManager, shipment: ShipmentRow, to: ShipmentStatus, location: string | null, at: Date): Promise<void> {
  const from = shipment.status;
  shipment.status = to;
  shipment.updatedAt = new Date();
  await tx.flush();
  await publish(tx, shipment, to.toLowerCase(), { from, location, at });
}

export interface RecordTrackingEventInput {
  shipmentId: string;
  status: ShipmentStatus;
  location?: string | null;
  at?: Date | null;
}

/**
 * A status someone saw (own delivery, a carrier without an API): checked against the machine.
 * Cancelling is an act, not a sighting: the carrier voids the label first.
 */
export function recordTrackingEvent(
  em: EntityManager,
  identity: Identity,
  input: RecordTrackingEventInput,
  deps: ShipmentDeps,
): Promise<ShipmentPayload> {
  return runMutation(em, { shipment: null }, async (tx) => {
    const news = validateTrackingNews(input, new Date());
    const shipment = await lockShipment(tx, identity, input.shipmentId);
    const decision = decideTransition(shipment.status, news.status);
    if (decision === 'noop') return { shipment };
    if (decision === 'invalid') {
      throw new DomainError('INVALID_TRANSITION', `shipment cannot go from ${shipment.status} to ${news.status}`, ['input', 'status']);
    }
    const { trackingNumber } = shipment;
    if (news.status === 'CANCELLED' && trackingNumber) {
      await callCarrier(() => deps.carriers.get(shipment.carrier).cancel(trackingNumber), ['input', 'status']);
    }
    track(tx, shipment, news, 'MANUAL', identity.userId);
    await moveTo(tx, shipment, news.status, news.location, news.at);
    return { shipment };
  });
}

/**
 * Asks the carrier for the parcel's scans and applies those not seen before, in the order they
 * happened. Scans the machine does not allow (late news) are kept as history only.
 */
export function refreshTracking(em: EntityManager, identity: Identity, input: { shipmentId: string }, deps: ShipmentDeps): Promise<ShipmentPayload> {
  return runMutation(em, { shipment: null }, async (tx) => {
    const shipment = await lockShipment(tx, identity, input.shipmentId);
    if (!shipment.trackingNumber) return { shipment };
    const trackingNumber = shipment.trackingNumber;
    const scans = await callCarrier(() => deps.carriers.get(shipment.carrier).track(trackingNumber), ['input', 'shipmentId']);
    const seen = new Set(
      (await tx.find(TrackingEvent, { shipmentId: shipment.id, carrierEventId: { $ne: null } }, { refresh: true })).map((e) => e.carrierEventId),
    );
    const fresh = scans.filter((s) => !seen.has(s.eventId)).sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const scan of fresh) track(tx, shipment, scan, 'CARRIER', `carrier:${shipment.carrier}`, scan.eventId);
    await tx.flush();
    const { changes } = applyCarrierNews(shipment.status, fresh);
    for (const change of changes) {
      const scan = fresh[change.index]!;
      await moveTo(tx, shipment, change.to, scan.location, scan.at);
    }
    return { shipment };
  });
}

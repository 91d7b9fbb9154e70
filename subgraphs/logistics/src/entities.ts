import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { ShipmentStatus } from './domain/shipment.ts';
import type { AdjustmentReason, LedgerKind, LocationKind, ReservationState } from './domain/stock.ts';

export const StockLocation = defineEntity({
  name: 'StockLocation',
  tableName: 'stock_location',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    /** null: a warehouse of the whole tenant */
    storeId: p.uuid().nullable(),
    name: p.string(),
    kind: p.string().$type<LocationKind>(),
    createdAt: p.datetime(),
  },
});

/** Append-only (grants and a trigger refuse updates and deletes): corrections are new entries. */
export const InventoryEntry = defineEntity({
  name: 'InventoryEntry',
  tableName: 'inventory_ledger',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    /** groups the entries one request wrote (a transfer's out and in) */
    movementId: p.uuid(),
    locationId: p.uuid(),
    variantId: p.uuid(),
    kind: p.string().$type<LedgerKind>(),
    quantity: p.decimal('string'),
    reason: p.string().$type<AdjustmentReason>().nullable(),
    reference: p.string().nullable(),
    note: p.string().nullable(),
    idempotencyKey: p.string(),
    /** null for entries the system wrote in reaction to an event */
    requestFingerprint: p.string().nullable(),
    actor: p.string(),
    createdAt: p.datetime(),
  },
});

/**
 * What logistics knows of an order, learned from orders' events. Keyed per tenant: offline POS
 * clients make their own order ids, so one tenant's id must not block or reveal another's.
 */
export const OrderRef = defineEntity({
  name: 'OrderRef',
  tableName: 'order_ref',
  properties: {
    tenantId: p.string().primary(),
    orderId: p.uuid().primary(),
    storeId: p.uuid(),
    channel: p.string(),
    currency: p.string(),
    total: p.decimal('string'),
    /** the order's status as last heard */
    status: p.string(),
    /** where its stock is reserved; null when the store had no stock location */
    locationId: p.uuid().nullable(),
    /** when its reserved stock was booked as sold */
    soldAt: p.datetime().nullable(),
    placedAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const StockReservation = defineEntity({
  name: 'StockReservation',
  tableName: 'stock_reservation',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    lineId: p.uuid(),
    locationId: p.uuid(),
    variantId: p.uuid(),
    quantity: p.decimal('string'),
    state: p.string().$type<ReservationState>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const Shipment = defineEntity({
  name: 'Shipment',
  tableName: 'shipment',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    storeId: p.uuid(),
    status: p.string().$type<ShipmentStatus>(),
    carrier: p.string(),
    trackingNumber: p.string().nullable(),
    labelPdf: p.blob().nullable(),
    codAmount: p.decimal('string').nullable(),
    currency: p.string(),
    idempotencyKey: p.string(),
    requestFingerprint: p.string(),
    createdBy: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

/** What happened to a parcel, oldest first; append-only for the runtime's role. */
export const TrackingEvent = defineEntity({
  name: 'TrackingEvent',
  tableName: 'tracking_event',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    shipmentId: p.uuid(),
    status: p.string().$type<ShipmentStatus>(),
    location: p.string().nullable(),
    at: p.datetime(),
    source: p.string().$type<'SYSTEM' | 'CARRIER' | 'MANUAL'>(),
    carrierEventId: p.string().nullable(),
    recordedBy: p.string(),
    recordedAt: p.datetime(),
  },
});

export type StockLocationRow = InferEntity<typeof StockLocation>;
export type InventoryEntryRow = InferEntity<typeof InventoryEntry>;
export type OrderRefRow = InferEntity<typeof OrderRef>;
export type StockReservationRow = InferEntity<typeof StockReservation>;
export type ShipmentRow = InferEntity<typeof Shipment>;
export type TrackingEventRow = InferEntity<typeof TrackingEvent>;
export const entities = [StockLocation, InventoryEntry, OrderRef, StockReservation, Shipment, TrackingEvent];

/** The reads behind the loaders: each takes a batch of keys and answers in one statement. */
import { type Connection, type EntityManager, pageSize, timeKeysetCursor, toConnection } from '@comanda/kit';
import { IN_TRANSIT_STATUSES } from '../domain/shipment.ts';
import { UUID } from '../domain/stock.ts';
import {
  InventoryEntry,
  type InventoryEntryRow,
  OrderRef,
  type OrderRefRow,
  Shipment,
  type ShipmentRow,
  StockLocation,
  type StockLocationRow,
  TrackingEvent,
  type TrackingEventRow,
} from '../entities.ts';

/** The locations a token may use: a store-bound token sees its stores' locations, not the tenant's warehouses. */
function scopeSql(storeIds: readonly string[] | null): { sql: string; params: string[] } {
  if (storeIds === null) return { sql: 'true', params: [] };
  const ids = storeIds.filter((id) => UUID.test(id));
  if (!ids.length) return { sql: 'false', params: [] };
  return { sql: `l.store_id in (${ids.map(() => '?::uuid').join(', ')})`, params: ids };
}

export function locationsByIds(em: EntityManager, ids: readonly string[]): Promise<StockLocationRow[]> {
  return em.find(StockLocation, { id: { $in: [...ids] } });
}

export function locationsInScope(em: EntityManager, storeIds: readonly string[] | null, storeId: string | null): Promise<StockLocationRow[]> {
  const scoped = storeIds === null ? {} : { storeId: { $in: storeIds.filter((id) => UUID.test(id)) } };
  const where = storeId === null ? scoped : { $and: [scoped, { storeId }] };
  return em.find(StockLocation, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export interface OnHandKey {
  variantId: string;
  /** null: every location in the caller's scope */
  locationId: string | null;
}

export interface OnHandRow {
  variantId: string;
  /** the key's location (null for the sum over the scope) */
  keyLocationId: string | null;
  locationId: string;
  storeId: string | null;
  onHand: string;
}

/**
 * On hand per (variant, location) key: a named location's own figure (with its store, for the
 * access check), or a row per location in the caller's scope to be summed.
 */
export async function onHandByKeys(em: EntityManager, keys: readonly OnHandKey[], storeIds: readonly string[] | null): Promise<OnHandRow[]> {
  if (!keys.length) return [];
  const scope = scopeSql(storeIds);
  const rows = await em.execute<
    { variant_id: string; key_location_id: string | null; location_id: string; store_id: string | null; on_hand: string }[]
  >(
    `select k.variant_id::text as variant_id, k.location_id::text as key_location_id, l.id::text as location_id, l.store_id::text as store_id,
       (select coalesce(sum(e.quantity), 0) from inventory_ledger e where e.location_id = l.id and e.variant_id = k.variant_id)::text as on_hand
     from (values ${keys.map(() => '(?::uuid, ?::uuid)').join(', ')}) k (variant_id, location_id)
     join stock_location l on l.id = k.location_id or (k.location_id is null and ${scope.sql})`,
    [...keys.flatMap((k) => [k.variantId, k.locationId]), ...scope.params],
  );
  return rows.map((r) => ({
    variantId: r.variant_id,
    keyLocationId: r.key_location_id,
    locationId: r.location_id,
    storeId: r.store_id,
    onHand: r.on_hand,
  }));
}

export interface StockLevelRow {
  variantId: string;
  locationId: string;
  onHand: string;
  reserved: string;
}

/** Every location in the caller's scope for each variant, with on hand and held reservations. */
export async function stockLevelsOf(em: EntityManager, variantIds: readonly string[], storeIds: readonly string[] | null): Promise<StockLevelRow[]> {
  if (!variantIds.length) return [];
  const scope = scopeSql(storeIds);
  const rows = await em.execute<{ variant_id: string; location_id: string; on_hand: string; reserved: string }[]>(
    `select v.variant_id::text as variant_id, l.id::text as location_id,
       (select coalesce(sum(e.quantity), 0) from inventory_ledger e where e.location_id = l.id and e.variant_id = v.variant_id)::text as on_hand,
       (select coalesce(sum(r.quantity), 0) from stock_reservation r
         where r.location_id = l.id and r.variant_id = v.variant_id and r.state = 'HELD')::text as reserved
     from (values ${variantIds.map(() => '(?::uuid)').join(', ')}) v (variant_id)
     cross join stock_location l
     where ${scope.sql}
     order by l.created_at, l.id`,
    [...variantIds, ...scope.params],
  );
  return rows.map((r) => ({ variantId: r.variant_id, locationId: r.location_id, onHand: r.on_hand, reserved: r.reserved }));
}

export function shipmentsByIds(em: EntityManager, ids: readonly string[]): Promise<ShipmentRow[]> {
  return em.find(Shipment, { id: { $in: [...ids] } });
}

export function shipmentsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<ShipmentRow[]> {
  return em.find(Shipment, { orderId: { $in: [...orderIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export function trackingEventsByShipmentIds(em: EntityManager, shipmentIds: readonly string[]): Promise<TrackingEventRow[]> {
  return em.find(TrackingEvent, { shipmentId: { $in: [...shipmentIds] } }, { orderBy: { at: 'asc', id: 'asc' } });
}

export function orderRefsByIds(em: EntityManager, orderIds: readonly string[]): Promise<OrderRefRow[]> {
  return em.find(OrderRef, { orderId: { $in: [...orderIds] } });
}

export async function inTransitCounts(em: EntityManager, storeIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await em.execute<{ store_id: string; n: string }[]>(
    `select store_id::text as store_id, count(*) as n from shipment
      where store_id in (${storeIds.map(() => '?::uuid').join(', ')}) and status in (${IN_TRANSIT_STATUSES.map(() => '?').join(', ')})
      group by store_id`,
    [...storeIds, ...IN_TRANSIT_STATUSES],
  );
  return new Map(rows.map((r) => [r.store_id, Number(r.n)]));
}

/** A location's ledger, newest first (keyset on created_at and id). */
export async function ledgerPage(
  em: EntityManager,
  locationId: string,
  variantId: string | null,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<InventoryEntryRow>> {
  const limit = pageSize(first);
  const cursor = timeKeysetCursor(after);
  const rows = await em.find(
    InventoryEntry,
    {
      locationId,
      ...(variantId ? { variantId } : {}),
      ...(cursor ? { $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }] } : {}),
    },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  return toConnection(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
}

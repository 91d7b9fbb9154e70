/**
 * Every per-parent lookup and __resolveReference goes through a per-request DataLoader, so a
 * page of 100 variants or orders costs as many statements as a page of 10. Malformed ids
 * resolve to nothing without reaching SQL.
 */
import { Decimal, forbidden, groupByKey, loadMany, loadOne, type SubgraphContext } from '@comanda/kit';
import { type StockFigures, stockFigures, UUID } from './domain/stock.ts';
import type { OrderRefRow, ShipmentRow, StockLocationRow, TrackingEventRow } from './entities.ts';
import {
  inTransitCounts,
  locationsByIds,
  onHandByKeys,
  orderRefsByIds,
  shipmentsByIds,
  shipmentsByOrderIds,
  stockLevelsOf,
  trackingEventsByShipmentIds,
} from './services/reads.ts';
import { canUseLocation } from './services/stock.ts';

export const loadLocation = (ctx: SubgraphContext, id: string): Promise<StockLocationRow | null> =>
  loadOne(
    ctx,
    'location',
    id,
    (ids) => locationsByIds(ctx.em, ids),
    (l) => l.id,
  );

export const loadShipment = (ctx: SubgraphContext, id: string): Promise<ShipmentRow | null> =>
  loadOne(
    ctx,
    'shipment',
    id,
    (ids) => shipmentsByIds(ctx.em, ids),
    (s) => s.id,
  );

export const loadOrderRef = (ctx: SubgraphContext, orderId: string): Promise<OrderRefRow | null> =>
  loadOne(
    ctx,
    'order-ref',
    orderId,
    (ids) => orderRefsByIds(ctx.em, ids),
    (o) => o.orderId,
  );

export const loadShipmentsOfOrder = (ctx: SubgraphContext, orderId: string): Promise<ShipmentRow[]> =>
  loadMany(
    ctx,
    'shipments-of-order',
    orderId,
    (ids) => shipmentsByOrderIds(ctx.em, ids),
    (s) => s.orderId,
  );

export const loadTrackingEvents = (ctx: SubgraphContext, shipmentId: string): Promise<TrackingEventRow[]> =>
  loadMany(
    ctx,
    'tracking-events',
    shipmentId,
    (ids) => trackingEventsByShipmentIds(ctx.em, ids),
    (e) => e.shipmentId,
  );

/**
 * Keyed by (variant, location): a named location the caller may not use is FORBIDDEN, an unknown
 * one holds nothing; without a location, the sum over the caller's locations.
 */
export function loadStockOnHand(ctx: SubgraphContext, variantId: string, locationId: string | null): Promise<string> {
  if (!UUID.test(variantId) || (locationId !== null && !UUID.test(locationId))) return Promise.resolve('0');
  const key = `${variantId.toLowerCase()}|${locationId?.toLowerCase() ?? ''}`;
  return ctx.loaders
    .get<string, string>('stock-on-hand', async (keys) => {
      const parsed = keys.map((k) => {
        const [variant, location] = k.split('|') as [string, string];
        return { variantId: variant, locationId: location || null };
      });
      const rows = await onHandByKeys(ctx.em, parsed, ctx.identity.storeIds);
      const grouped = groupByKey(keys, rows, (r) => `${r.variantId}|${r.keyLocationId ?? ''}`);
      return grouped.map((group) => {
        if (group.some((r) => !canUseLocation(ctx.identity, r))) return forbidden('this token may not use that stock location');
        return group.reduce((sum, r) => sum.plus(r.onHand), new Decimal(0)).toFixed();
      });
    })
    .load(key);
}

export interface StockLevelView extends StockFigures {
  locationId: string;
}

/** One level per location in the caller's scope. */
export function loadStockLevels(ctx: SubgraphContext, variantId: string): Promise<StockLevelView[]> {
  if (!UUID.test(variantId)) return Promise.resolve([]);
  return ctx.loaders
    .get<string, StockLevelView[]>('stock-levels', async (ids) => {
      const rows = await stockLevelsOf(ctx.em, ids, ctx.identity.storeIds);
      return groupByKey(ids, rows, (r) => r.variantId).map((group) =>
        group.map((r) => ({ locationId: r.locationId, ...stockFigures(r.onHand, r.reserved) })),
      );
    })
    .load(variantId.toLowerCase());
}

export function loadShipmentsInTransit(ctx: SubgraphContext, storeId: string): Promise<number> {
  if (!UUID.test(storeId)) return Promise.resolve(0);
  return ctx.loaders
    .get<string, number>('shipments-in-transit', async (ids) => {
      const counts = await inTransitCounts(ctx.em, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    })
    .load(storeId.toLowerCase());
}

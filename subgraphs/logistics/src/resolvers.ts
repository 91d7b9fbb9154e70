import { canUseStore, money, type Resolvers, type Role, requireRole, requireStore, STAFF, type SubgraphContext } from '@comanda/kit';
import { defaultCarriers } from './carriers/index.ts';
import { type CreateShipmentInput, fulfillmentStatus } from './domain/shipment.ts';
import { type AdjustInput, plainQuantity, type ReceiveInput, type TransferInput, UUID } from './domain/stock.ts';
import type { InventoryEntryRow, ShipmentRow, StockLocationRow, TrackingEventRow } from './entities.ts';
import {
  loadLocation,
  loadOrderRef,
  loadShipment,
  loadShipmentsInTransit,
  loadShipmentsOfOrder,
  loadStockLevels,
  loadStockOnHand,
  loadTrackingEvents,
  type StockLevelView,
} from './loaders.ts';
import { ledgerPage, locationsInScope } from './services/reads.ts';
import { createShipment, type RecordTrackingEventInput, recordTrackingEvent, refreshTracking, type ShipmentDeps } from './services/shipments.ts';
import { adjustStock, canUseLocation, receiveStock, type StockMovementPayload, transferStock } from './services/stock.ts';

/** Stock and shipments are read by staff and by partners (their storefronts show stock and tracking). */
const READERS: Role[] = [...STAFF, 'partner'];
/** Who moves stock and books shipments. */
const KEEPERS: Role[] = ['owner', 'manager'];

const carriers = defaultCarriers();
const deps = (ctx: SubgraphContext): ShipmentDeps => ({ carriers, log: ctx.log });

const emptyConnection = { nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null } };

/** A shipment of a store outside the caller's token is as invisible as one that does not exist. */
async function visibleShipment(ctx: SubgraphContext, id: string): Promise<ShipmentRow | null> {
  const shipment = await loadShipment(ctx, id);
  return shipment && canUseStore(ctx.identity, shipment.storeId) ? shipment : null;
}

async function shipmentsOfOrder(ctx: SubgraphContext, orderId: string): Promise<ShipmentRow[]> {
  requireRole(ctx.identity, ...READERS);
  return (await loadShipmentsOfOrder(ctx, orderId)).filter((s) => canUseStore(ctx.identity, s.storeId));
}

const levelView = (level: StockLevelView) => ({
  locationId: level.locationId,
  onHand: plainQuantity(level.onHand),
  reserved: plainQuantity(level.reserved),
  available: plainQuantity(level.available),
});

export const resolvers: Resolvers = {
  Query: {
    shipment: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return visibleShipment(ctx, args.id);
    },
    stockLocations: (_: unknown, args: { storeId?: string | null }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      const storeId = args.storeId?.toLowerCase() ?? null;
      if (storeId !== null) {
        requireStore(ctx.identity, storeId);
        if (!UUID.test(storeId)) return [];
      }
      return locationsInScope(ctx.em, ctx.identity.storeIds, storeId);
    },
    stockMovements: async (
      _: unknown,
      args: { locationId: string; variantId?: string | null; first?: number | null; after?: string | null },
      ctx: SubgraphContext,
    ) => {
      requireRole(ctx.identity, ...STAFF);
      const location = await loadLocation(ctx, args.locationId);
      if (!location || !canUseLocation(ctx.identity, location)) return emptyConnection;
      const variantId = args.variantId?.toLowerCase() ?? null;
      if (variantId !== null && !UUID.test(variantId)) return emptyConnection;
      return ledgerPage(ctx.em, location.id, variantId, args.first, args.after);
    },
  },

  Mutation: {
    receiveStock: (_: unknown, args: { input: ReceiveInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...KEEPERS);
      return receiveStock(ctx.em, ctx.identity, args.input);
    },
    adjustStock: (_: unknown, args: { input: AdjustInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...KEEPERS);
      return adjustStock(ctx.em, ctx.identity, args.input);
    },
    transferStock: (_: unknown, args: { input: TransferInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...KEEPERS);
      return transferStock(ctx.em, ctx.identity, args.input);
    },
    createShipment: (_: unknown, args: { input: CreateShipmentInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...KEEPERS);
      return createShipment(ctx.em, ctx.identity, args.input, deps(ctx));
    },
    recordTrackingEvent: (_: unknown, args: { input: RecordTrackingEventInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...KEEPERS);
      return recordTrackingEvent(ctx.em, ctx.identity, args.input, deps(ctx));
    },
    refreshTracking: (_: unknown, args: { input: { shipmentId: string } }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...KEEPERS);
      return refreshTracking(ctx.em, ctx.identity, args.input, deps(ctx));
    },
  },

  StockMovementPayload: {
    /** the levels now, at the locations the movement touched */
    levels: async (payload: StockMovementPayload, _: unknown, ctx: SubgraphContext) => {
      const [first] = payload.entries ?? [];
      if (!first) return null;
      const touched = new Set(payload.entries!.map((e) => e.locationId));
      return (await loadStockLevels(ctx, first.variantId)).filter((l) => touched.has(l.locationId)).map(levelView);
    },
  },

  StockLocation: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => {
      const location = await loadLocation(ctx, ref.id);
      return location && canUseLocation(ctx.identity, location) ? location : null;
    },
    store: (location: StockLocationRow) => (location.storeId ? { id: location.storeId } : null),
  },

  StockLevel: {
    location: (level: { locationId: string }, _: unknown, ctx: SubgraphContext) => loadLocation(ctx, level.locationId),
  },

  InventoryEntry: {
    location: (entry: InventoryEntryRow, _: unknown, ctx: SubgraphContext) => loadLocation(ctx, entry.locationId),
    variant: (entry: InventoryEntryRow) => ({ id: entry.variantId }),
    quantity: (entry: InventoryEntryRow) => plainQuantity(entry.quantity),
  },

  ProductVariant: {
    stockOnHand: (variant: { id: string }, args: { locationId?: string | null }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return loadStockOnHand(ctx, variant.id, args.locationId ?? null);
    },
    stockLevels: async (variant: { id: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return (await loadStockLevels(ctx, variant.id)).map(levelView);
    },
  },

  Order: {
    shipments: (order: { id: string }, _: unknown, ctx: SubgraphContext) => shipmentsOfOrder(ctx, order.id),
    fulfillmentStatus: async (order: { id: string }, _: unknown, ctx: SubgraphContext) => {
      const [shipments, known] = await Promise.all([shipmentsOfOrder(ctx, order.id), loadOrderRef(ctx, order.id)]);
      return fulfillmentStatus(shipments, Boolean(known?.soldAt));
    },
  },

  Shipment: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => visibleShipment(ctx, ref.id),
    order: (shipment: ShipmentRow) => ({ id: shipment.orderId }),
    store: (shipment: ShipmentRow) => ({ id: shipment.storeId }),
    codAmount: (shipment: ShipmentRow) => (shipment.codAmount == null ? null : money(shipment.codAmount, shipment.currency)),
    labelPdf: (shipment: ShipmentRow) => shipment.labelPdf?.toString('base64') ?? null,
    trackingEvents: (shipment: ShipmentRow, _: unknown, ctx: SubgraphContext): Promise<TrackingEventRow[]> => loadTrackingEvents(ctx, shipment.id),
  },

  StoreMetrics: {
    shipmentsInTransit: (metrics: { storeId: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, metrics.storeId.toLowerCase());
      return loadShipmentsInTransit(ctx, metrics.storeId);
    },
  },
};

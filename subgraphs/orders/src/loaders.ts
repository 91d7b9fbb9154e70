/**
 * Every per-parent lookup and __resolveReference goes through one of these per-request
 * DataLoaders, so a page of 100 orders costs as many statements as a page of 10.
 * Malformed ids resolve to null without reaching SQL.
 */
import { byKey, type Connection, groupByKey, type SubgraphContext } from '@comanda/kit';
import { UUID } from './domain/place-order.ts';
import type { PriceTier } from './domain/price-tiers.ts';
import type { VatPeriod } from './domain/vat-schedule.ts';
import type {
  OrderEventRow,
  OrderLineRow,
  OrderNoteRow,
  OrderRow,
  PriceListRow,
  ProductRow,
  PromotionRow,
  RedemptionRow,
  StoreRow,
  VariantRow,
} from './entities.ts';
import { productsByIds, storesByIds, tenantDefaults, variantsByIds, variantsByProductIds } from './services/catalog.ts';
import { type StoreMetricsRow, storeMetrics } from './services/metrics.ts';
import { notesByOrderIds } from './services/order-notes.ts';
import { customerOrderPages, eventsByOrderIds, linesByOrderIds, ordersByIds } from './services/order-queries.ts';
import { customerSegments, priceListsByIds, priceListsBySegments } from './services/price-lists.ts';
import { variantTiers } from './services/price-tiers.ts';
import { promotionsByIds, redemptionsByOrderIds } from './services/promotions.ts';
import { vatPeriodsOf } from './services/vat-rates.ts';

function byId<V extends { id: string }>(
  ctx: SubgraphContext,
  name: string,
  find: (ids: readonly string[]) => Promise<V[]>,
  id: string,
): Promise<V | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return ctx.loaders.get<string, V | null>(name, async (ids) => byKey(ids, await find(ids), (row) => row.id)).load(id.toLowerCase());
}

export const loadStore = (ctx: SubgraphContext, id: string) => byId<StoreRow>(ctx, 'store', (ids) => storesByIds(ctx.em, ids), id);
export const loadProduct = (ctx: SubgraphContext, id: string) => byId<ProductRow>(ctx, 'product', (ids) => productsByIds(ctx.em, ids), id);
export const loadVariant = (ctx: SubgraphContext, id: string) => byId<VariantRow>(ctx, 'variant', (ids) => variantsByIds(ctx.em, ids), id);
export const loadOrder = (ctx: SubgraphContext, id: string) => byId<OrderRow>(ctx, 'order', (ids) => ordersByIds(ctx.em, ids), id);

export function loadVariantsOfProduct(ctx: SubgraphContext, productId: string): Promise<VariantRow[]> {
  return ctx.loaders
    .get<string, VariantRow[]>('variants-of-product', async (ids) => groupByKey(ids, await variantsByProductIds(ctx.em, ids), (v) => v.productId))
    .load(productId);
}

export function loadOrderLines(ctx: SubgraphContext, orderId: string): Promise<OrderLineRow[]> {
  return ctx.loaders
    .get<string, OrderLineRow[]>('order-lines', async (ids) => groupByKey(ids, await linesByOrderIds(ctx.em, ids), (l) => l.orderId))
    .load(orderId);
}

export function loadOrderEvents(ctx: SubgraphContext, orderId: string): Promise<OrderEventRow[]> {
  return ctx.loaders
    .get<string, OrderEventRow[]>('order-events', async (ids) => groupByKey(ids, await eventsByOrderIds(ctx.em, ids), (e) => e.orderId))
    .load(orderId);
}

export function loadStoreMetrics(ctx: SubgraphContext, storeId: string): Promise<StoreMetricsRow | null> {
  if (!UUID.test(storeId)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, StoreMetricsRow | null>('store-metrics', async (ids) => byKey(ids, await storeMetrics(ctx.em, ids), (m) => m.storeId))
    .load(storeId.toLowerCase());
}

/** The currency and timezone of a variant reached without a store (services/catalog.ts). */
export function loadTenantDefaults(ctx: SubgraphContext): Promise<{ currencyCode: string; timezone: string }> {
  return ctx.loaders
    .get<'tenant', { currencyCode: string; timezone: string }>('tenant-defaults', async (keys) => {
      const defaults = await tenantDefaults(ctx.em);
      return keys.map(() => defaults);
    })
    .load('tenant');
}

export const loadPriceList = (ctx: SubgraphContext, id: string) => byId<PriceListRow>(ctx, 'price-list', (ids) => priceListsByIds(ctx.em, ids), id);
export const loadPromotion = (ctx: SubgraphContext, id: string) => byId<PromotionRow>(ctx, 'promotion', (ids) => promotionsByIds(ctx.em, ids), id);

export function loadVatPeriods(ctx: SubgraphContext, variantId: string): Promise<VatPeriod[]> {
  return ctx.loaders
    .get<string, VatPeriod[]>('vat-periods', async (ids) => {
      const periods = await vatPeriodsOf(ctx.em, ids);
      return ids.map((id) => periods.get(id) ?? []);
    })
    .load(variantId);
}

export function loadVariantTiers(ctx: SubgraphContext, variantId: string): Promise<PriceTier[]> {
  return ctx.loaders
    .get<string, PriceTier[]>('variant-tiers', async (ids) => {
      const tiers = await variantTiers(ctx.em, ids);
      return ids.map((id) => tiers.get(id) ?? []);
    })
    .load(variantId);
}

export function loadRedemptions(ctx: SubgraphContext, orderId: string): Promise<RedemptionRow[]> {
  return ctx.loaders
    .get<string, RedemptionRow[]>('redemptions', async (ids) => groupByKey(ids, await redemptionsByOrderIds(ctx.em, ids), (r) => r.orderId))
    .load(orderId);
}

export function loadOrderNotes(ctx: SubgraphContext, orderId: string): Promise<OrderNoteRow[]> {
  return ctx.loaders
    .get<string, OrderNoteRow[]>('order-notes', async (ids) => groupByKey(ids, await notesByOrderIds(ctx.em, ids), (n) => n.orderId))
    .load(orderId);
}

export function loadCustomerSegment(ctx: SubgraphContext, customerId: string): Promise<string | null> {
  if (!UUID.test(customerId)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, string | null>('customer-segment', async (ids) => {
      const segments = await customerSegments(ctx.em, ids);
      return ids.map((id) => segments.get(id) ?? null);
    })
    .load(customerId.toLowerCase());
}

export function loadPriceListOfSegment(ctx: SubgraphContext, segment: string): Promise<PriceListRow | null> {
  return ctx.loaders
    .get<string, PriceListRow | null>('price-list-of-segment', async (segments) =>
      byKey(segments, await priceListsBySegments(ctx.em, segments), (l) => l.segment),
    )
    .load(segment);
}

/** One loader per page shape: every customer in a list asks for the same first/after. */
export function loadCustomerOrders(
  ctx: SubgraphContext,
  customerId: string,
  first?: number | null,
  after?: string | null,
): Promise<Connection<OrderRow>> {
  return ctx.loaders
    .get<string, Connection<OrderRow>>(`customer-orders:${first ?? ''}:${after ?? ''}`, async (ids) => {
      const pages = await customerOrderPages(ctx.em, ids, { first, after, storeIds: ctx.identity.storeIds });
      return ids.map((id) => pages.get(id) ?? { nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    })
    .load(customerId);
}

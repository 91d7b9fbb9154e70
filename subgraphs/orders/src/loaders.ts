/**
 * Every per-parent lookup and __resolveReference goes through one of these per-request
 * DataLoaders, so a page of 100 orders costs as many statements as a page of 10.
 * Malformed ids resolve to null without reaching SQL.
 */
import { byKey, type Connection, groupByKey, type SubgraphContext } from '@comanda/kit';
import { UUID } from './domain/place-order.ts';
import type { OrderEventRow, OrderLineRow, OrderRow, ProductRow, StoreRow, VariantRow } from './entities.ts';
import { productsByIds, storesByIds, tenantCurrency, variantsByIds, variantsByProductIds } from './services/catalog.ts';
import { type StoreMetricsRow, storeMetrics } from './services/metrics.ts';
import { customerOrderPages, eventsByOrderIds, linesByOrderIds, ordersByIds } from './services/order-queries.ts';

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

export function loadTenantCurrency(ctx: SubgraphContext): Promise<string> {
  return ctx.loaders
    .get<'tenant', string>('tenant-currency', async (keys) => {
      const currency = await tenantCurrency(ctx.em);
      return keys.map(() => currency);
    })
    .load('tenant');
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

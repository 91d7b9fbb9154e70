import {
  type Connection,
  canUseStore,
  forbidden,
  GraphQLError,
  hasRole,
  type LiveMessage,
  liveChannel,
  liveOf,
  livePayload,
  money,
  type Resolvers,
  type Role,
  requireRole,
  requireStore,
  retryOnConflict,
  runMutation,
  STAFF,
  type SubgraphContext,
} from '@comanda/kit';
import type { OrderStatus } from './domain/lifecycle.ts';
import { type OrderChannel, type PlaceOrderInput, UUID } from './domain/place-order.ts';
import type { OrderEventRow, OrderLineRow, OrderNoteRow, OrderRow, RedemptionRow, StoreRow } from './entities.ts';
import { METRICS_COALESCE_MS, type OrderChangePayload, type StoreMetricsPayload } from './live.ts';
import {
  loadCustomerOrders,
  loadOrder,
  loadOrderEvents,
  loadOrderLines,
  loadOrderNotes,
  loadPromotion,
  loadRedemptions,
  loadStore,
  loadStoreMetrics,
  loadVariant,
} from './loaders.ts';
import { catalogMutations, catalogQueries, catalogTypes, customerPricing, type ProductView, type VariantView } from './resolvers-catalog.ts';
import { findProducts, storesInScope, variantByBarcode } from './services/catalog.ts';
import type { StoreMetricsRow } from './services/metrics.ts';
import { transitionOrder } from './services/order-lifecycle.ts';
import { addOrderNote } from './services/order-notes.ts';
import { placeOrder } from './services/order-placement.ts';
import { findOrders, type OrderFilter } from './services/order-queries.ts';
import { updateStoreSettings } from './services/stores.ts';
import { plainDecimal, unitMoney } from './views.ts';

type LineView = OrderLineRow & { currencyCode: string; storeId: string };
type RedemptionView = RedemptionRow & { currencyCode: string };

const EVERYONE: Role[] = [...STAFF, 'device', 'partner'];
const READERS: Role[] = [...STAFF, 'partner'];
const SELLERS: Role[] = ['owner', 'manager', 'cashier'];
/** partners sell through their own storefronts, never at a till or on a B2B account */
const PARTNER_CHANNELS: OrderChannel[] = ['WEB', 'MARKETPLACE'];

const MANAGERS: Role[] = ['owner', 'manager'];

function mapConnection<T, U>(connection: Connection<T>, view: (row: T) => U): Connection<U> {
  return {
    nodes: connection.nodes.map(view),
    edges: connection.edges.map((e) => ({ cursor: e.cursor, node: view(e.node) })),
    pageInfo: connection.pageInfo,
  };
}

const emptyConnection = { nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null } };

/** An order outside the caller's stores is as invisible as one that does not exist. */
async function visibleOrder(ctx: SubgraphContext, id: string): Promise<OrderRow | null> {
  const order = await loadOrder(ctx, id);
  return order && canUseStore(ctx.identity, order.storeId) ? order : null;
}

async function visibleStore(ctx: SubgraphContext, id: string): Promise<StoreRow | null> {
  if (!canUseStore(ctx.identity, id.toLowerCase())) return null;
  return loadStore(ctx, id);
}

/** A live feed of one store: only for a store of the caller's tenant (RLS) and scope. */
async function subscribableStore(ctx: SubgraphContext, id: string): Promise<StoreRow> {
  const store = await visibleStore(ctx, id);
  if (!store) throw forbidden(`no store ${id} that this token may use`);
  return store;
}

export const resolvers: Resolvers = {
  Query: {
    stores: (_: unknown, __: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...EVERYONE);
      return storesInScope(ctx.em, ctx.identity.storeIds?.filter((id) => UUID.test(id)) ?? null);
    },
    store: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...EVERYONE);
      return visibleStore(ctx, args.id);
    },
    products: async (
      _: unknown,
      args: { storeId: string; first?: number; after?: string; search?: string; includeArchived?: boolean },
      ctx: SubgraphContext,
    ) => {
      requireRole(ctx.identity, ...READERS);
      requireStore(ctx.identity, args.storeId);
      const store = await loadStore(ctx, args.storeId);
      if (!store) return emptyConnection;
      const page = await findProducts(ctx.em, args);
      return mapConnection(page, (p): ProductView => ({ ...p, place: store }));
    },
    variantByBarcode: async (_: unknown, args: { storeId: string; barcode: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      requireStore(ctx.identity, args.storeId);
      const store = await loadStore(ctx, args.storeId);
      const variant = store && (await variantByBarcode(ctx.em, args.barcode));
      return variant ? ({ ...variant, place: store } satisfies VariantView) : null;
    },
    ...catalogQueries,
    order: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return visibleOrder(ctx, args.id);
    },
    orders: (_: unknown, args: { storeId: string; first?: number; after?: string; filter?: OrderFilter }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      requireStore(ctx.identity, args.storeId);
      if (!UUID.test(args.storeId)) return emptyConnection;
      return findOrders(ctx.em, args.storeId.toLowerCase(), args.filter ?? {}, args.first, args.after);
    },
    storeMetrics: async (_: unknown, args: { storeId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, args.storeId);
      const metrics = await loadStoreMetrics(ctx, args.storeId);
      if (!metrics) throw new GraphQLError(`no store ${args.storeId}`, { extensions: { code: 'BAD_USER_INPUT' } });
      return metrics;
    },
  },

  Mutation: {
    placeOrder: async (_: unknown, args: { input: PlaceOrderInput }, ctx: SubgraphContext) => {
      const { identity } = ctx;
      requireRole(identity, ...SELLERS, 'partner');
      if (!hasRole(identity, ...SELLERS) && !PARTNER_CHANNELS.includes(args.input.channel)) {
        throw forbidden(`partners may place ${PARTNER_CHANNELS.join(' and ')} orders only`);
      }
      requireStore(identity, args.input.storeId.toLowerCase());
      const placer = { tenantId: identity.tenantId, actor: identity.userId, mayOverridePrice: hasRole(identity, 'owner', 'manager') };
      const payload = await retryOnConflict(() =>
        runMutation(ctx.em, { order: null, replayed: null, notices: null }, (tx) => placeOrder(tx, placer, args.input)),
      );
      // a refused order is not a replay and carries no notices; both fields are non-null
      return { ...payload, replayed: payload.replayed ?? false, notices: payload.notices ?? [] };
    },
    transitionOrder: (_: unknown, args: { input: { orderId: string; to: OrderStatus; reason?: string | null } }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...SELLERS);
      const request = { ...args.input, actor: ctx.identity.userId, storeIds: ctx.identity.storeIds };
      return runMutation(ctx.em, { order: null }, async (tx) => ({ order: (await transitionOrder(tx, request)).order }));
    },
    addOrderNote: async (_: unknown, args: { input: { orderId: string; text: string; idempotencyKey: string } }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...SELLERS);
      const author = { tenantId: ctx.identity.tenantId, userId: ctx.identity.userId, storeIds: ctx.identity.storeIds };
      const payload = await retryOnConflict(() =>
        runMutation(ctx.em, { order: null, note: null, replayed: null }, (tx) => addOrderNote(tx, author, args.input)),
      );
      return { ...payload, replayed: payload.replayed ?? false };
    },
    updateStoreSettings: (
      _: unknown,
      args: { input: { storeId: string; pricesIncludeVat?: boolean | null; pendingOrderTimeoutMinutes?: number | null } },
      ctx: SubgraphContext,
    ) => {
      requireRole(ctx.identity, ...MANAGERS);
      requireStore(ctx.identity, args.input.storeId.toLowerCase());
      return runMutation(ctx.em, { store: null }, async (tx) => ({ store: await updateStoreSettings(tx, args.input) }));
    },
    ...catalogMutations,
  },

  Subscription: {
    orderChanged: {
      subscribe: async (_: unknown, args: { storeId: string }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, ...READERS);
        const store = await subscribableStore(ctx, args.storeId);
        return liveOf(ctx).subscribe(liveChannel('orderChanged', ctx.identity.tenantId, store.id), ctx.identity);
      },
      resolve: livePayload,
    },
    storeMetricsChanged: {
      subscribe: async (_: unknown, args: { storeId: string }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, ...STAFF);
        const store = await subscribableStore(ctx, args.storeId);
        return liveOf(ctx).subscribe(liveChannel('storeMetricsChanged', ctx.identity.tenantId, store.id), ctx.identity, {
          coalesceMs: METRICS_COALESCE_MS,
        });
      },
      resolve: (message: LiveMessage<StoreMetricsPayload>, _: unknown, ctx: SubgraphContext) => loadStoreMetrics(ctx, message.payload.storeId),
    },
  },

  OrderChange: {
    order: (change: OrderChangePayload, _: unknown, ctx: SubgraphContext) => visibleOrder(ctx, change.orderId),
  },

  Store: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => visibleStore(ctx, ref.id),
    pendingOrderTimeoutMinutes: (store: StoreRow) => store.pendingTimeoutMinutes ?? null,
  },

  ...catalogTypes,

  Order: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => visibleOrder(ctx, ref.id),
    store: (order: OrderRow, _: unknown, ctx: SubgraphContext) => loadStore(ctx, order.storeId),
    customer: (order: OrderRow) => (order.customerId ? { __typename: 'Customer', id: order.customerId } : null),
    lines: async (order: OrderRow, _: unknown, ctx: SubgraphContext): Promise<LineView[]> =>
      (await loadOrderLines(ctx, order.id)).map((line) => ({ ...line, currencyCode: order.currencyCode, storeId: order.storeId })),
    events: (order: OrderRow, _: unknown, ctx: SubgraphContext): Promise<OrderEventRow[]> => loadOrderEvents(ctx, order.id),
    promotions: async (order: OrderRow, _: unknown, ctx: SubgraphContext): Promise<RedemptionView[]> =>
      (await loadRedemptions(ctx, order.id)).map((r) => ({ ...r, currencyCode: order.currencyCode })),
    notes: (order: OrderRow, _: unknown, ctx: SubgraphContext): Promise<OrderNoteRow[]> => loadOrderNotes(ctx, order.id),
    subtotal: (order: OrderRow) => money(order.subtotal, order.currencyCode),
    discountTotal: (order: OrderRow) => money(order.discountTotal, order.currencyCode),
    taxTotal: (order: OrderRow) => money(order.taxTotal, order.currencyCode),
    total: (order: OrderRow) => money(order.total, order.currencyCode),
  },

  OrderLine: {
    variant: async (line: LineView, _: unknown, ctx: SubgraphContext): Promise<VariantView | null> => {
      const [variant, store] = await Promise.all([loadVariant(ctx, line.variantId), loadStore(ctx, line.storeId)]);
      return variant && { ...variant, place: store };
    },
    quantity: (line: LineView) => plainDecimal(line.quantity),
    unitPrice: (line: LineView) => unitMoney(line.unitPrice, line.currencyCode),
    listPrice: (line: LineView) => (line.listPrice ? unitMoney(line.listPrice, line.currencyCode) : null),
    vatRate: (line: LineView) => plainDecimal(line.vatRate),
    discount: (line: LineView) => money(line.discount, line.currencyCode),
    total: (line: LineView) => money(line.total, line.currencyCode),
    netAmount: (line: LineView) => money(line.netAmount, line.currencyCode),
    taxAmount: (line: LineView) => money(line.taxAmount, line.currencyCode),
  },

  AppliedPromotion: {
    promotion: (r: RedemptionView, _: unknown, ctx: SubgraphContext) => loadPromotion(ctx, r.promotionId),
    value: (r: RedemptionView) => plainDecimal(r.value),
    amount: (r: RedemptionView) => money(r.amount, r.currencyCode),
    released: (r: RedemptionView) => r.releasedAt !== null && r.releasedAt !== undefined,
  },

  OrderNote: {
    at: (note: OrderNoteRow) => note.createdAt,
  },

  StoreMetrics: {
    __resolveReference: (ref: { storeId: string }, ctx: SubgraphContext) =>
      canUseStore(ctx.identity, ref.storeId.toLowerCase()) ? loadStoreMetrics(ctx, ref.storeId) : null,
    salesToday: (metrics: StoreMetricsRow) => money(metrics.salesToday, metrics.currencyCode),
  },

  Customer: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    orders: (customer: { id: string }, args: { first?: number; after?: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return loadCustomerOrders(ctx, customer.id.toLowerCase(), args.first, args.after);
    },
    ...customerPricing,
  },
};

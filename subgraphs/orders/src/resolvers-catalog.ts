/**
 * Thin resolvers of the catalog, price lists, segments and promotions: authorize, call the
 * service, shape the answer. Reads are for staff (and partners for the catalog); every edit is
 * a manager's or an owner's.
 */
import {
  type Connection,
  type Payload,
  type Resolvers,
  type Role,
  requireRole,
  retryOnConflict,
  runMutation,
  STAFF,
  type SubgraphContext,
} from '@comanda/kit';
import { UUID } from './domain/place-order.ts';
import type { PriceTier } from './domain/price-tiers.ts';
import { localDate, periodsView, rateOn } from './domain/vat-schedule.ts';
import type { PriceListRow, ProductRow, PromotionRow, VariantRow } from './entities.ts';
import {
  loadCustomerSegment,
  loadPriceList,
  loadPriceListOfSegment,
  loadProduct,
  loadPromotion,
  loadTenantDefaults,
  loadVariant,
  loadVariantsOfProduct,
  loadVariantTiers,
  loadVatPeriods,
} from './loaders.ts';
import {
  type AddVariantInput,
  addVariant,
  type CreateProductInput,
  cancelVatRateChange,
  createProduct,
  type ScheduleVatRateInput,
  type SetPriceTiersInput,
  scheduleVatRate,
  setVariantPriceTiers,
  type UpdateProductInput,
  type UpdateVariantInput,
  updateProduct,
  updateVariant,
} from './services/catalog-writes.ts';
import {
  type CreatePriceListInput,
  createPriceList,
  deletePriceList,
  priceLists,
  type SetPriceListPricesInput,
  setCustomerPriceSegment,
  setPriceListPrices,
  type UpdatePriceListInput,
  updatePriceList,
} from './services/price-lists.ts';
import { listTierRows } from './services/price-tiers.ts';
import { type ImportProductsInput, importProducts, type ProductImportReport } from './services/product-import.ts';
import {
  type CreatePromotionInput,
  createPromotion,
  findPromotions,
  promotionByCode,
  type UpdatePromotionInput,
  updatePromotion,
} from './services/promotions.ts';
import { plainDecimal, unitMoney } from './views.ts';

/**
 * Products are tenant-wide: the currency their prices are shown in and the day their VAT rate
 * is read for come from the store they were reached through (null: a bare reference, answered
 * for the tenant's first store).
 */
export type Place = { currencyCode: string; timezone: string } | null;
export type ProductView = ProductRow & { place: Place };
export type VariantView = VariantRow & { place: Place };

const MANAGERS: Role[] = ['owner', 'manager'];
const CATALOG_READERS: Role[] = [...STAFF, 'partner'];

const tierView = (tier: PriceTier) => ({ minQuantity: tier.minQuantity.toFixed(), unitPrice: tier.unitPrice.toFixed() });
const archived = (row: { archivedAt?: Date | null }) => row.archivedAt !== null && row.archivedAt !== undefined;

async function placeOf(ctx: SubgraphContext, place: Place): Promise<{ currencyCode: string; timezone: string }> {
  return place ?? loadTenantDefaults(ctx);
}

function actorOf(ctx: SubgraphContext) {
  requireRole(ctx.identity, ...MANAGERS);
  return { tenantId: ctx.identity.tenantId, userId: ctx.identity.userId };
}

const bare = <T>(row: T | null): (T & { place: Place }) | null => row && { ...row, place: null };

/**
 * A write in one transaction, rerun when it lost a race (a create's unique key: the rerun
 * replays; a serialization failure or deadlock: the rerun sees the winner's result).
 */
async function write<T extends Record<string, unknown>>(
  ctx: SubgraphContext,
  empty: { [K in keyof T]: null },
  work: (tx: SubgraphContext['em']) => Promise<T>,
): Promise<Payload<T>> {
  const payload = await retryOnConflict(() => runMutation<T>(ctx.em, empty, work));
  return { ...payload, replayed: (payload as { replayed?: boolean | null }).replayed ?? false };
}

export const catalogQueries = {
  product: async (_: unknown, args: { id: string }, ctx: SubgraphContext): Promise<ProductView | null> => {
    requireRole(ctx.identity, ...CATALOG_READERS);
    return bare(await loadProduct(ctx, args.id));
  },
  priceLists: (_: unknown, __: unknown, ctx: SubgraphContext): Promise<PriceListRow[]> => {
    requireRole(ctx.identity, ...STAFF);
    return priceLists(ctx.em);
  },
  priceList: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
    requireRole(ctx.identity, ...STAFF);
    return loadPriceList(ctx, args.id);
  },
  promotions: (
    _: unknown,
    args: { first?: number; after?: string; search?: string; activeOnly?: boolean },
    ctx: SubgraphContext,
  ): Promise<Connection<PromotionRow>> => {
    requireRole(ctx.identity, ...STAFF);
    return findPromotions(ctx.em, args);
  },
  promotion: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
    requireRole(ctx.identity, ...STAFF);
    return loadPromotion(ctx, args.id);
  },
  promotionByCode: (_: unknown, args: { code: string }, ctx: SubgraphContext) => {
    requireRole(ctx.identity, ...STAFF);
    return promotionByCode(ctx.em, args.code);
  },
};

export const catalogMutations = {
  createProduct: (_: unknown, args: { input: CreateProductInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { product: null, replayed: null }, async (tx) => {
      const { product, replayed } = await createProduct(tx, actor, args.input);
      return { product: bare(product), replayed };
    });
  },
  updateProduct: (_: unknown, args: { input: UpdateProductInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { product: null }, async (tx) => ({ product: bare(await updateProduct(tx, actor, args.input)) }));
  },
  addVariant: (_: unknown, args: { input: AddVariantInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { variant: null, replayed: null }, async (tx) => {
      const { variant, replayed } = await addVariant(tx, actor, args.input);
      return { variant: bare(variant), replayed };
    });
  },
  updateVariant: (_: unknown, args: { input: UpdateVariantInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { variant: null }, async (tx) => ({ variant: bare(await updateVariant(tx, actor, args.input)) }));
  },
  scheduleVatRate: (_: unknown, args: { input: ScheduleVatRateInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { variant: null }, async (tx) => ({ variant: bare(await scheduleVatRate(tx, actor, args.input)) }));
  },
  cancelVatRateChange: (_: unknown, args: { input: { variantId: string; validFrom: string } }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { variant: null }, async (tx) => ({ variant: bare(await cancelVatRateChange(tx, actor, args.input)) }));
  },
  setVariantPriceTiers: (_: unknown, args: { input: SetPriceTiersInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { variant: null }, async (tx) => ({ variant: bare(await setVariantPriceTiers(tx, actor, args.input)) }));
  },
  importProducts: (_: unknown, args: { input: ImportProductsInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return retryOnConflict(() => importProducts(ctx.em, actor, args.input));
  },
  createPriceList: (_: unknown, args: { input: CreatePriceListInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { priceList: null, replayed: null }, (tx) => createPriceList(tx, actor, args.input));
  },
  updatePriceList: (_: unknown, args: { input: UpdatePriceListInput }, ctx: SubgraphContext) => {
    actorOf(ctx);
    return write(ctx, { priceList: null }, async (tx) => ({ priceList: await updatePriceList(tx, args.input) }));
  },
  deletePriceList: (_: unknown, args: { input: { priceListId: string } }, ctx: SubgraphContext) => {
    actorOf(ctx);
    return runMutation(ctx.em, { deletedId: null }, async (tx) => ({ deletedId: await deletePriceList(tx, args.input) }));
  },
  setPriceListPrices: (_: unknown, args: { input: SetPriceListPricesInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { priceList: null }, async (tx) => ({ priceList: await setPriceListPrices(tx, actor, args.input) }));
  },
  setCustomerPriceSegment: (_: unknown, args: { input: { customerId: string; segment?: string | null } }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return retryOnConflict(() =>
      runMutation(ctx.em, { customer: null }, async (tx) => {
        const { customerId } = await setCustomerPriceSegment(tx, actor, args.input);
        return { customer: { __typename: 'Customer', id: customerId } };
      }),
    );
  },
  createPromotion: (_: unknown, args: { input: CreatePromotionInput }, ctx: SubgraphContext) => {
    const actor = actorOf(ctx);
    return write(ctx, { promotion: null, replayed: null }, (tx) => createPromotion(tx, actor, args.input));
  },
  updatePromotion: (_: unknown, args: { input: UpdatePromotionInput }, ctx: SubgraphContext) => {
    actorOf(ctx);
    return write(ctx, { promotion: null }, async (tx) => ({ promotion: await updatePromotion(tx, args.input) }));
  },
};

type ImportedRowView = ProductImportReport['accepted'][number];
type ProblemView = ProductImportReport['problems'][number];

export const catalogTypes: Resolvers = {
  Product: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext): Promise<ProductView | null> => bare(await loadProduct(ctx, ref.id)),
    variants: async (product: ProductView, args: { includeArchived?: boolean }, ctx: SubgraphContext): Promise<VariantView[]> =>
      (await loadVariantsOfProduct(ctx, product.id)).filter((v) => args.includeArchived || !archived(v)).map((v) => ({ ...v, place: product.place })),
    archived: (product: ProductView) => archived(product),
  },

  ProductVariant: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext): Promise<VariantView | null> => bare(await loadVariant(ctx, ref.id)),
    price: async (variant: VariantView, _: unknown, ctx: SubgraphContext) =>
      unitMoney(variant.price, (await placeOf(ctx, variant.place)).currencyCode),
    vatRate: async (variant: VariantView, _: unknown, ctx: SubgraphContext) => {
      const today = localDate(new Date(), (await placeOf(ctx, variant.place)).timezone);
      const rate = rateOn(await loadVatPeriods(ctx, variant.id), today);
      return rate === null ? null : plainDecimal(rate);
    },
    vatRates: async (variant: VariantView, _: unknown, ctx: SubgraphContext) =>
      periodsView(await loadVatPeriods(ctx, variant.id)).map((p) => ({ ...p, rate: plainDecimal(p.rate) })),
    priceTiers: async (variant: VariantView, _: unknown, ctx: SubgraphContext) => (await loadVariantTiers(ctx, variant.id)).map(tierView),
    archived: (variant: VariantView) => archived(variant),
    product: async (variant: VariantView, _: unknown, ctx: SubgraphContext): Promise<ProductView | null> => {
      const product = await loadProduct(ctx, variant.productId);
      return product && { ...product, place: variant.place };
    },
  },

  PriceList: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => loadPriceList(ctx, ref.id),
    prices: async (list: PriceListRow, args: { variantIds?: string[] | null }, ctx: SubgraphContext) => {
      const ids = args.variantIds ? args.variantIds.map((id) => id.toLowerCase()).filter((id) => UUID.test(id)) : null;
      const byVariant = new Map<string, { minQuantity: string; unitPrice: string }[]>();
      for (const row of await listTierRows(ctx.em, list.id, ids)) {
        byVariant.set(row.variantId, [
          ...(byVariant.get(row.variantId) ?? []),
          { minQuantity: plainDecimal(row.minQuantity), unitPrice: plainDecimal(row.unitPrice) },
        ]);
      }
      return [...byVariant.entries()].map(([variantId, tiers]) => ({ variantId, tiers }));
    },
  },

  PriceListPrice: {
    variant: async (price: { variantId: string }, _: unknown, ctx: SubgraphContext): Promise<VariantView | null> =>
      bare(await loadVariant(ctx, price.variantId)),
  },

  Promotion: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => loadPromotion(ctx, ref.id),
    value: (p: PromotionRow) => plainDecimal(p.value),
    minOrderAmount: (p: PromotionRow) => (p.minOrderAmount ? plainDecimal(p.minOrderAmount) : null),
    maxDiscount: (p: PromotionRow) => (p.maxDiscount ? plainDecimal(p.maxDiscount) : null),
  },

  ProductImportedRow: {
    variant: async (row: ImportedRowView, _: unknown, ctx: SubgraphContext) => (row.variantId ? bare(await loadVariant(ctx, row.variantId)) : null),
  },

  ProductImportProblem: {
    row: (problem: ProblemView) => problem.line,
  },
};

/** What orders adds to Customer: the price segment and its list (staff only). */
export const customerPricing = {
  priceSegment: (customer: { id: string }, _: unknown, ctx: SubgraphContext) => {
    requireRole(ctx.identity, ...STAFF);
    return loadCustomerSegment(ctx, customer.id);
  },
  priceList: async (customer: { id: string }, _: unknown, ctx: SubgraphContext) => {
    requireRole(ctx.identity, ...STAFF);
    const segment = await loadCustomerSegment(ctx, customer.id);
    return segment ? loadPriceListOfSegment(ctx, segment) : null;
  },
};

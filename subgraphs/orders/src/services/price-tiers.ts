/** Quantity tiers of the default list (per variant) and of segment price lists, as rows. */
import { Decimal, type EntityManager } from '@comanda/kit';
import type { PriceTier } from '../domain/price-tiers.ts';

export interface TierRow {
  variantId: string;
  minQuantity: string;
  unitPrice: string;
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

const toTier = (row: TierRow): PriceTier => ({ minQuantity: new Decimal(row.minQuantity), unitPrice: new Decimal(row.unitPrice) });

/** Each variant's own tiers, lowest first. */
export async function variantTiers(em: EntityManager, variantIds: readonly string[]): Promise<Map<string, PriceTier[]>> {
  const tiers = new Map<string, PriceTier[]>(variantIds.map((id) => [id, []]));
  if (!variantIds.length) return tiers;
  const rows = await em.execute<TierRow[]>(
    `select variant_id as "variantId", min_quantity::text as "minQuantity", unit_price::text as "unitPrice"
       from variant_price_tier where variant_id in (${placeholders(variantIds)}) order by variant_id, min_quantity`,
    [...variantIds],
  );
  for (const row of rows) tiers.get(row.variantId)?.push(toTier(row));
  return tiers;
}

/** One price list's tiers for some variants (all of them when `variantIds` is null), lowest first. */
export async function listTierRows(em: EntityManager, priceListId: string, variantIds: readonly string[] | null): Promise<TierRow[]> {
  if (variantIds && !variantIds.length) return [];
  const filter = variantIds ? `and variant_id in (${placeholders(variantIds)})` : '';
  return em.execute<TierRow[]>(
    `select variant_id as "variantId", min_quantity::text as "minQuantity", unit_price::text as "unitPrice"
       from price_list_tier where price_list_id = ? ${filter} order by variant_id, min_quantity`,
    [priceListId, ...(variantIds ?? [])],
  );
}

export async function listTiers(em: EntityManager, priceListId: string, variantIds: readonly string[]): Promise<Map<string, PriceTier[]>> {
  const tiers = new Map<string, PriceTier[]>(variantIds.map((id) => [id, []]));
  for (const row of await listTierRows(em, priceListId, variantIds)) tiers.get(row.variantId)?.push(toTier(row));
  return tiers;
}

/** Replaces a variant's tiers in the default list (priceListId null) or in a segment list. */
export async function replaceTiers(
  em: EntityManager,
  tenantId: string,
  priceListId: string | null,
  variantId: string,
  tiers: readonly PriceTier[],
): Promise<void> {
  if (priceListId === null) {
    await em.execute('delete from variant_price_tier where variant_id = ?', [variantId]);
  } else {
    await em.execute('delete from price_list_tier where price_list_id = ? and variant_id = ?', [priceListId, variantId]);
  }
  if (!tiers.length) return;
  const table = priceListId === null ? 'variant_price_tier (tenant_id, variant_id' : 'price_list_tier (tenant_id, price_list_id, variant_id';
  const row = priceListId === null ? '(?, ?, ?, ?)' : '(?, ?, ?, ?, ?)';
  await em.execute(
    `insert into ${table}, min_quantity, unit_price) values ${tiers.map(() => row).join(', ')}`,
    tiers.flatMap((t) => [tenantId, ...(priceListId === null ? [] : [priceListId]), variantId, t.minQuantity.toFixed(), t.unitPrice.toFixed()]),
  );
}

/** Stores and the tenant-wide catalog: reads only (the catalog is seeded until its editor lands). */
import { type Connection, type EntityManager, keysetCursor, pageSize, toConnection } from '@comanda/kit';
import { isValidEan13 } from '../domain/ean13.ts';
import { Product, type ProductRow, ProductVariant, Store, type StoreRow, type VariantRow } from '../entities.ts';

/** `null` scope means every store of the tenant (the token is not store-bound). */
export async function storesInScope(em: EntityManager, storeIds: readonly string[] | null): Promise<StoreRow[]> {
  const where = storeIds === null ? {} : { id: { $in: [...storeIds] } };
  return em.find(Store, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export async function storesByIds(em: EntityManager, ids: readonly string[]): Promise<StoreRow[]> {
  return em.find(Store, { id: { $in: [...ids] } });
}

/**
 * Money needs a currency, and products are tenant-wide: when a variant is reached without a
 * store (a federation reference), its price is in the tenant's first store's currency, or
 * XXX (ISO 4217 "no currency") for a tenant without stores.
 */
export async function tenantCurrency(em: EntityManager): Promise<string> {
  const [first] = await em.find(Store, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1 });
  return first?.currencyCode ?? 'XXX';
}

export async function productsByIds(em: EntityManager, ids: readonly string[]): Promise<ProductRow[]> {
  return em.find(Product, { id: { $in: [...ids] } });
}

export async function variantsByIds(em: EntityManager, ids: readonly string[]): Promise<VariantRow[]> {
  return em.find(ProductVariant, { id: { $in: [...ids] } });
}

export async function variantsByProductIds(em: EntityManager, productIds: readonly string[]): Promise<VariantRow[]> {
  return em.find(ProductVariant, { productId: { $in: [...productIds] } }, { orderBy: { productId: 'asc', position: 'asc', id: 'asc' } });
}

export async function variantByBarcode(em: EntityManager, barcode: string): Promise<VariantRow | null> {
  const code = barcode.trim();
  if (!isValidEan13(code)) return null;
  return em.findOne(ProductVariant, { barcode: code }, { orderBy: { id: 'asc' } });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Alphabetical, keyset-paged on (name, id); `search` matches a product name, a variant's SKU or its barcode. */
export async function findProducts(
  em: EntityManager,
  first?: number | null,
  after?: string | null,
  search?: string | null,
): Promise<Connection<ProductRow>> {
  const limit = pageSize(first);
  const cursor = keysetCursor(after, 'text');
  const conditions: string[] = [];
  const params: unknown[] = [];
  const term = search?.trim();
  if (term) {
    const like = `%${escapeLike(term)}%`;
    conditions.push(`(p.name ilike ? or exists (select 1 from product_variant v where v.product_id = p.id and (v.sku ilike ? or v.barcode = ?)))`);
    params.push(like, like, term);
  }
  if (cursor) {
    conditions.push('(p.name, p.id) > (?, ?::uuid)');
    params.push(...cursor);
  }
  const where = conditions.length ? `where ${conditions.join(' and ')}` : '';
  const rows = await em.execute<Record<string, unknown>[]>(`select p.* from product p ${where} order by p.name, p.id limit ?`, [
    ...params,
    limit + 1,
  ]);
  const products = rows.map((row) => em.map(Product, row));
  return toConnection(products, limit, (p) => [p.name, p.id]);
}

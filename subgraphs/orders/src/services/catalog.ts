/** Stores and the tenant-wide catalog: reads (catalog-writes.ts edits it). */
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
 * Money needs a currency and "today's" VAT rate a timezone, and products are tenant-wide: when a
 * variant is reached without a store (a federation reference), its price is in the tenant's
 * first store's currency and its rate is today's there (XXX, ISO 4217 "no currency", and UTC
 * for a tenant without stores).
 */
export async function tenantDefaults(em: EntityManager): Promise<{ currencyCode: string; timezone: string }> {
  const [first] = await em.find(Store, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1 });
  return { currencyCode: first?.currencyCode ?? 'XXX', timezone: first?.timezone ?? 'UTC' };
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

/** The variant still sold under a barcode (at most one: a unique index), of a product still sold. */
export async function variantByBarcode(em: EntityManager, barcode: string): Promise<VariantRow | null> {
  const code = barcode.trim();
  if (!isValidEan13(code)) return null;
  const rows = await em.execute<Record<string, unknown>[]>(
    `select v.* from product_variant v join product p on p.id = v.product_id
      where v.barcode = ? and v.archived_at is null and p.archived_at is null limit 1`,
    [code],
  );
  return rows[0] ? em.map(ProductVariant, rows[0]) : null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Alphabetical, keyset-paged on (name, id); `search` matches a product name, a variant's SKU or
 * its barcode. Archived products are left out unless asked for.
 */
export async function findProducts(
  em: EntityManager,
  options: { first?: number | null; after?: string | null; search?: string | null; includeArchived?: boolean | null },
): Promise<Connection<ProductRow>> {
  const limit = pageSize(options.first);
  const cursor = keysetCursor(options.after, 'text');
  const conditions: string[] = options.includeArchived ? [] : ['p.archived_at is null'];
  const params: unknown[] = [];
  const term = options.search?.trim();
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

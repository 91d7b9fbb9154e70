import { decodeCursor, type EntityManager, pageSize, toConnection } from '@comanda/kit';
import { raw } from '@mikro-orm/core';
import { type ActivityFilter, type ActivityFilterInput, parseActivityFilter } from '../domain/activity.ts';
import { type CustomerKind, normalizeTags } from '../domain/customer.ts';
import { fold, phoneSearchKey, taxSearchKey } from '../domain/normalize.ts';
import { type AddressRow, ConsentChange, type ConsentChangeRow, Customer, CustomerAddress, type CustomerRow } from '../entities.ts';

export interface CustomerFilter extends ActivityFilterInput {
  search?: string | null;
  tag?: string | null;
  kind?: CustomerKind | null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * What a search text matches: every word of it in the name (diacritics and case ignored, so
 * "dunarea" finds "Dunărea"), or the email, or the phone (any way it is written), or the tax id
 * (with or without RO).
 */
function searchCondition(search: string): Record<string, unknown> | null {
  const text = search.trim();
  if (!text) return null;
  const words = fold(text).split(' ').filter(Boolean);
  const alternatives: Record<string, unknown>[] = [];
  if (words.length) alternatives.push({ $and: words.map((w) => ({ nameKey: { $like: `%${escapeLike(w)}%` } })) });
  alternatives.push({ email: { $ilike: `%${escapeLike(text.toLowerCase())}%` } });
  const phone = phoneSearchKey(text);
  if (phone) alternatives.push({ phoneKey: { $like: `%${escapeLike(phone)}%` } });
  const tax = taxSearchKey(text);
  if (tax) alternatives.push({ taxKey: { $like: `${tax}%` } });
  return { $or: alternatives };
}

/**
 * What customers bought (customer_activity, customer_spend) as conditions on the customer row.
 * Without a purchase there is no projection, so "bought last before" leaves out those who never bought.
 */
function activityConditions(f: ActivityFilter): Record<string, unknown>[] {
  const conditions: Record<string, unknown>[] = [];
  const checks: string[] = [];
  const params: unknown[] = [];
  if (f.minOrders !== null) {
    checks.push('a.orders_count >= ?');
    params.push(f.minOrders);
  }
  if (f.lastPurchaseAfter) {
    checks.push('a.last_purchase_at >= ?');
    params.push(f.lastPurchaseAfter);
  }
  if (f.lastPurchaseBefore) {
    checks.push('a.last_purchase_at < ?');
    params.push(f.lastPurchaseBefore);
  }
  if (checks.length) {
    const sql = (alias: string) =>
      `exists (select 1 from customer_activity a where a.customer_id = ${alias}.id and a.orders_count > 0 and ${checks.join(' and ')})`;
    conditions.push({ [raw(sql, params)]: [] });
  }
  if (f.minSpent) {
    const sql = (alias: string) => `exists (select 1 from customer_spend s where s.customer_id = ${alias}.id and s.currency = ? and s.amount >= ?)`;
    conditions.push({ [raw(sql, [f.minSpent.currency, f.minSpent.amount.toFixed()])]: [] });
  }
  return conditions;
}

/** Active customers (not merged, not erased), newest first, keyset-paged on (createdAt, id). */
export async function findCustomers(em: EntityManager, filter: CustomerFilter, first?: number | null, after?: string | null) {
  const limit = pageSize(first);
  const cursor = decodeCursor(after);
  const where: Record<string, unknown>[] = [{ status: 'ACTIVE' }, ...activityConditions(parseActivityFilter(filter))];
  if (filter.kind) where.push({ kind: filter.kind });
  const [tag] = normalizeTags(filter.tag ? [filter.tag] : []);
  if (tag) where.push({ tags: { $overlap: [tag] } });
  const search = filter.search ? searchCondition(filter.search) : null;
  if (search) where.push(search);
  if (cursor) {
    const [createdAt, id] = cursor as [string, string];
    where.push({ $or: [{ createdAt: { $lt: new Date(createdAt) } }, { createdAt: new Date(createdAt), id: { $lt: id } }] });
  }
  const rows = await em.find(Customer, { $and: where } as never, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
  return toConnection(rows, limit, (c) => [c.createdAt.toISOString(), c.id]);
}

/**
 * Customers by id, a merged one standing for the customer it was merged into: at most two
 * statements for any number of ids. Returns id -> the customer to show for it.
 */
export async function resolveCustomers(em: EntityManager, ids: readonly string[]): Promise<Map<string, CustomerRow>> {
  const rows = await em.find(Customer, { id: { $in: [...ids] } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = [...new Set(rows.map((r) => r.mergedIntoId).filter((id): id is string => !!id && !byId.has(id)))];
  if (missing.length) for (const r of await em.find(Customer, { id: { $in: missing } })) byId.set(r.id, r);
  const resolved = new Map<string, CustomerRow>();
  for (const id of ids) {
    const row = byId.get(id);
    const shown = row?.mergedIntoId ? byId.get(row.mergedIntoId) : row;
    if (shown) resolved.set(id, shown);
  }
  return resolved;
}

export function addressesByCustomerIds(em: EntityManager, ids: readonly string[]): Promise<AddressRow[]> {
  return em.find(CustomerAddress, { customerId: { $in: [...ids] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export function consentHistoryByCustomerIds(em: EntityManager, ids: readonly string[]): Promise<ConsentChangeRow[]> {
  return em.find(ConsentChange, { customerId: { $in: [...ids] } }, { orderBy: { givenAt: 'asc', id: 'asc' } });
}

/**
 * Segment price lists and which segment a customer buys in.
 *
 * The segment is kept here, beside the lists, and set by staff (setCustomerPriceSegment) rather
 * than read from the customers subgraph: customers has no segments (its tags are free-form
 * marketing labels that its events do not even carry), placeOrder must not wait on another
 * subgraph, and a customer's prices are a commercial term that belongs with the prices, as a
 * credit limit belongs with credit. A merge in customers moves the merged customer's segment to
 * the survivor (reactions.ts).
 */
import { DomainError, type EntityManager, fingerprint, type UserError, userError } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { checkName } from '../domain/catalog.ts';
import { UUID } from '../domain/place-order.ts';
import { checkSegment, normalizeSegment, type TierInput, validateTiers } from '../domain/price-tiers.ts';
import { PriceList, type PriceListRow, ProductVariant } from '../entities.ts';
import { publishCustomerSegment, publishPriceList } from '../events.ts';
import type { CatalogActor } from './catalog-writes.ts';
import { replaceTiers } from './price-tiers.ts';

export interface CreatePriceListInput {
  name: string;
  segment: string;
}

export interface UpdatePriceListInput {
  priceListId: string;
  name?: string | null;
  segment?: string | null;
}

export interface SetPriceListPricesInput {
  priceListId: string;
  /** per variant, its whole set of tiers in this list (an empty set removes the variant from the list) */
  prices: { variantId: string; tiers: TierInput[] }[];
}

/** at most this many variants per setPriceListPrices call */
export const MAX_PRICES_PER_CALL = 500;

export type PriceListResult = { priceList: PriceListRow; replayed: boolean };

const notFound = (id: string) => new DomainError('PRICE_LIST_NOT_FOUND', `no price list ${id}`, ['input', 'priceListId']);

async function lockedList(em: EntityManager, id: string): Promise<PriceListRow> {
  const list = UUID.test(id) ? await em.findOne(PriceList, { id: id.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
  if (!list) throw notFound(id);
  return list;
}

function checkedSegment(raw: string, field: string[]): string {
  const segment = normalizeSegment(raw);
  const error = checkSegment(segment, field);
  if (error) throw DomainError.many([error]);
  return segment;
}

/** A segment has one list; creating it again with the same name is a replay, anything else SEGMENT_TAKEN. */
export async function createPriceList(em: EntityManager, actor: CatalogActor, input: CreatePriceListInput): Promise<PriceListResult> {
  const errors: UserError[] = [];
  const nameError = checkName(input.name, ['input', 'name']);
  if (nameError) errors.push(nameError);
  const segment = normalizeSegment(input.segment);
  const segmentError = checkSegment(segment, ['input', 'segment']);
  if (segmentError) errors.push(segmentError);
  if (errors.length) throw DomainError.many(errors);
  const requestFingerprint = fingerprint({ name: input.name.trim(), segment });
  const existing = await em.findOne(PriceList, { segment });
  if (existing?.requestFingerprint === requestFingerprint) return { priceList: existing, replayed: true };
  if (existing) throw new DomainError('SEGMENT_TAKEN', `segment ${segment} already has the price list ${existing.name}`, ['input', 'segment']);
  const now = new Date();
  const priceList = em.create(PriceList, {
    id: uuidv7(),
    tenantId: actor.tenantId,
    name: input.name.trim(),
    segment,
    requestFingerprint,
    createdAt: now,
    updatedAt: now,
  });
  // a concurrent twin loses on the unique segment here, before the outbox row: retryOnConflict replays it
  await em.flush();
  await publishPriceList(em, priceList, 'created');
  return { priceList, replayed: false };
}

export async function updatePriceList(em: EntityManager, input: UpdatePriceListInput): Promise<PriceListRow> {
  const list = await lockedList(em, input.priceListId);
  const errors: UserError[] = [];
  const name = input.name?.trim() ?? list.name;
  if (input.name !== undefined && input.name !== null) {
    const error = checkName(input.name, ['input', 'name']);
    if (error) errors.push(error);
  }
  let segment = list.segment;
  if (input.segment !== undefined && input.segment !== null) {
    segment = normalizeSegment(input.segment);
    const error = checkSegment(segment, ['input', 'segment']);
    if (error) errors.push(error);
  }
  if (errors.length) throw DomainError.many(errors);
  if (name === list.name && segment === list.segment) return list;
  if (segment !== list.segment && (await em.count(PriceList, { segment }))) {
    throw new DomainError('SEGMENT_TAKEN', `segment ${segment} already has a price list`, ['input', 'segment']);
  }
  list.name = name;
  list.segment = segment;
  list.updatedAt = new Date();
  await em.flush();
  await publishPriceList(em, list, 'updated');
  return list;
}

/** Its customers keep their segment and pay default prices until a list for it exists again. */
export async function deletePriceList(em: EntityManager, input: { priceListId: string }): Promise<string> {
  const list = await lockedList(em, input.priceListId);
  await em.execute('delete from price_list_tier where price_list_id = ?', [list.id]);
  await publishPriceList(em, list, 'deleted');
  em.remove(list);
  await em.flush();
  return list.id;
}

export async function setPriceListPrices(em: EntityManager, actor: CatalogActor, input: SetPriceListPricesInput): Promise<PriceListRow> {
  const list = await lockedList(em, input.priceListId);
  const errors: UserError[] = [];
  if (input.prices.length > MAX_PRICES_PER_CALL) {
    throw new DomainError('TOO_MANY_PRICES', `at most ${MAX_PRICES_PER_CALL} variants per call`, ['input', 'prices']);
  }
  const seen = new Set<string>();
  const wanted = input.prices.map((entry, i) => {
    const field = ['input', 'prices', String(i)];
    const variantId = entry.variantId.toLowerCase();
    if (!UUID.test(variantId)) errors.push(userError('VARIANT_NOT_FOUND', `no product variant ${entry.variantId}`, [...field, 'variantId']));
    else if (seen.has(variantId)) errors.push(userError('DUPLICATE_VARIANT', 'the variant appears twice', [...field, 'variantId']));
    seen.add(variantId);
    const { tiers, errors: tierErrors } = validateTiers(entry.tiers, [...field, 'tiers']);
    errors.push(...tierErrors);
    return { variantId, tiers, field };
  });
  const ids = [...seen].filter((id) => UUID.test(id));
  const known = new Set((ids.length ? await em.find(ProductVariant, { id: { $in: ids } }) : []).map((v) => v.id));
  for (const { variantId, field } of wanted) {
    if (UUID.test(variantId) && !known.has(variantId))
      errors.push(userError('VARIANT_NOT_FOUND', `no product variant ${variantId}`, [...field, 'variantId']));
  }
  if (errors.length) throw DomainError.many(errors);
  for (const { variantId, tiers } of wanted) await replaceTiers(em, actor.tenantId, list.id, variantId, tiers);
  list.updatedAt = new Date();
  await em.flush();
  await publishPriceList(em, list, 'updated', ids);
  return list;
}

export async function priceLists(em: EntityManager): Promise<PriceListRow[]> {
  return em.find(PriceList, {}, { orderBy: { segment: 'asc' } });
}

export async function priceListsByIds(em: EntityManager, ids: readonly string[]): Promise<PriceListRow[]> {
  return em.find(PriceList, { id: { $in: [...ids] } });
}

export async function priceListsBySegments(em: EntityManager, segments: readonly string[]): Promise<PriceListRow[]> {
  return em.find(PriceList, { segment: { $in: [...segments] } });
}

/** Each customer's segment (customers without one are left out). */
export async function customerSegments(em: EntityManager, customerIds: readonly string[]): Promise<Map<string, string>> {
  const ids = customerIds.filter((id) => UUID.test(id));
  if (!ids.length) return new Map();
  const rows = await em.execute<{ customer_id: string; segment: string }[]>(
    `select customer_id, segment from customer_price_segment where customer_id in (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  return new Map(rows.map((r) => [r.customer_id, r.segment]));
}

/**
 * Puts a customer in a segment that has a price list (a typo would silently cost the customer
 * their prices), or out of any (null). The customer id is checked for shape only: customers
 * owns who exists, and orders keeps the reference as placeOrder does.
 */
export async function setCustomerPriceSegment(
  em: EntityManager,
  actor: CatalogActor,
  input: { customerId: string; segment?: string | null },
): Promise<{ customerId: string; segment: string | null }> {
  const customerId = input.customerId.trim().toLowerCase();
  if (!UUID.test(customerId)) throw new DomainError('UNKNOWN_CUSTOMER', `no customer ${input.customerId}`, ['input', 'customerId']);
  const segment =
    input.segment === undefined || input.segment === null || !input.segment.trim() ? null : checkedSegment(input.segment, ['input', 'segment']);
  if (segment && !(await em.count(PriceList, { segment }))) {
    throw new DomainError('UNKNOWN_SEGMENT', `no price list for segment ${segment}: create it first`, ['input', 'segment']);
  }
  // the row lock serializes two changes to one customer, so their events are in order
  const [current] = await em.execute<{ segment: string }[]>('select segment from customer_price_segment where customer_id = ? for update', [
    customerId,
  ]);
  const previous = current?.segment ?? null;
  if (previous === segment) return { customerId, segment };
  await writeSegment(em, actor.tenantId, customerId, segment, actor.userId);
  await publishCustomerSegment(em, actor.tenantId, { customerId, segment, previous, actor: actor.userId });
  return { customerId, segment };
}

async function writeSegment(em: EntityManager, tenantId: string, customerId: string, segment: string | null, actor: string): Promise<void> {
  if (segment === null) {
    await em.execute('delete from customer_price_segment where customer_id = ?', [customerId]);
    return;
  }
  await em.execute(
    `insert into customer_price_segment (tenant_id, customer_id, segment, updated_at, updated_by) values (?, ?, ?, now(), ?)
     on conflict (tenant_id, customer_id) do update set segment = excluded.segment, updated_at = now(), updated_by = excluded.updated_by`,
    [tenantId, customerId, segment, actor],
  );
}

/**
 * customers merged `mergedId` into `survivorId`: the survivor keeps its own segment, or takes
 * the merged customer's when it had none; the merged id keeps nothing (it resolves to the
 * survivor from now on).
 */
export async function mergeCustomerSegment(em: EntityManager, tenantId: string, mergedId: string, survivorId: string): Promise<void> {
  const rows = await em.execute<{ customer_id: string; segment: string }[]>(
    'select customer_id, segment from customer_price_segment where customer_id in (?, ?) order by customer_id for update',
    [mergedId, survivorId],
  );
  const merged = rows.find((r) => r.customer_id === mergedId)?.segment ?? null;
  const survivor = rows.find((r) => r.customer_id === survivorId)?.segment ?? null;
  if (merged === null) return;
  await writeSegment(em, tenantId, mergedId, null, 'system:customers');
  await publishCustomerSegment(em, tenantId, { customerId: mergedId, segment: null, previous: merged, actor: 'system:customers' });
  if (survivor !== null) return;
  await writeSegment(em, tenantId, survivorId, merged, 'system:customers');
  await publishCustomerSegment(em, tenantId, { customerId: survivorId, segment: merged, previous: null, actor: 'system:customers' });
}

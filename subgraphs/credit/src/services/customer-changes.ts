/**
 * Credit's side of the customers subgraph's merges and erasures (domain/customer-changes.ts).
 *
 * A merged id stays in use: orders placed under it before the merge are still in flight, and
 * its references keep resolving to the survivor. So credit records the merge as a link and
 * resolves every new hold through it. An advisory lock per customer id orders a merge against
 * holds for that id: a hold takes it shared for every id on its way to the survivor, the merge
 * exclusively for the merged id, so a hold either lands before the merge moves it or is made for
 * the survivor.
 */
import type { EntityManager } from '@comanda/kit';
import { MAX_MERGE_HOPS, type MergingProfile, profileKeptOnMerge } from '../domain/customer-changes.ts';
import { tenantOf } from './common.ts';

const lockKey = (customerId: string) => `credit-customer:${customerId}`;

async function mergedInto(tx: EntityManager, customerId: string): Promise<string | null> {
  const [link] = await tx.execute<{ merged_into_id: string | null }[]>('select merged_into_id from customer_link where customer_id = ?', [
    customerId,
  ]);
  return link?.merged_into_id ?? null;
}

/** The customer an id stands for now: itself, or the survivor of the merges it went through. */
export async function resolveCustomer(tx: EntityManager, customerId: string): Promise<string> {
  let id = customerId;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const next = await mergedInto(tx, id);
    if (!next) return id;
    id = next;
  }
  throw new Error(`customer ${customerId}: more than ${MAX_MERGE_HOPS} merges in a row`);
}

/**
 * For a hold: resolves the id to its survivor while holding each id on the way (shared), so no
 * merge of the customer the hold ends up with can commit before the hold does.
 */
export async function holdCustomer(tx: EntityManager, customerId: string): Promise<string> {
  let id = customerId;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    await tx.execute('select pg_advisory_xact_lock_shared(hashtextextended(?, 0))', [lockKey(id)]);
    const next = await mergedInto(tx, id);
    if (!next) return id;
    id = next;
  }
  throw new Error(`customer ${customerId}: more than ${MAX_MERGE_HOPS} merges in a row`);
}

/** Everything a profile says about the customer (all but its key). */
const ASSESSMENT_COLUMNS = [
  'currency',
  'registry_points',
  'registry_note',
  'financials_points',
  'financials_note',
  'behaviour_points',
  'behaviour_note',
  'insolvency_points',
  'insolvency_note',
  'litigation_points',
  'litigation_note',
  'annual_revenue',
  'score',
  'tier',
  'credit_limit',
  'updated_by',
  'updated_at',
];

interface ProfileRow extends MergingProfile {
  customer_id: string;
}

async function lockProfiles(tx: EntityManager, ids: string[]): Promise<Map<string, MergingProfile>> {
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.execute<ProfileRow[]>(
    `select customer_id::text as customer_id, tier, credit_limit::text as "limit", currency from credit_profile
      where customer_id in (${sorted.map(() => '?').join(', ')}) order by customer_id for update`,
    sorted,
  );
  return new Map(rows.map((r) => [r.customer_id, r]));
}

export const isErasedCustomer = async (tx: EntityManager, customerId: string): Promise<boolean> =>
  (await tx.execute<{ erased: boolean }[]>('select erased_at is not null as erased from customer_link where customer_id = ?', [customerId]))[0]
    ?.erased === true;

/**
 * `customer.merged`: the merged customer's reservations move to the survivor and the survivor
 * keeps one profile (the more cautious of the two); the merged id keeps none. Applying it again
 * finds nothing left to move.
 */
export async function mergeCustomer(tx: EntityManager, mergedId: string, survivorId: string, mergedAt: Date): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [lockKey(mergedId)]);
  await tx.execute(
    `insert into customer_link (tenant_id, customer_id, merged_into_id, merged_at) values (?, ?, ?, ?)
     on conflict (tenant_id, customer_id) do update set merged_into_id = excluded.merged_into_id, merged_at = excluded.merged_at`,
    [tenantOf(tx), mergedId, survivorId, mergedAt],
  );
  // customers merged into this one earlier now lead straight to its survivor
  await tx.execute('update customer_link set merged_into_id = ? where merged_into_id = ?', [survivorId, mergedId]);
  // the survivor may itself have been merged since (another customer's event, not ordered with this one)
  const target = await resolveCustomer(tx, survivorId);
  if (target === mergedId) throw new Error(`customer.merged ${mergedId} -> ${survivorId}: the merges form a cycle`);

  const profiles = await lockProfiles(tx, [mergedId, target]);
  await tx.execute('update credit_reservation set customer_id = ?, updated_at = now() where customer_id = ?', [target, mergedId]);
  const kept = (await isErasedCustomer(tx, target)) ? null : profileKeptOnMerge(profiles.get(target) ?? null, profiles.get(mergedId) ?? null);
  if (kept === 'merged' && profiles.has(target)) {
    // the survivor's row takes the duplicate's assessment in place: a hold waiting on that row's lock then reads the new one
    const assigned = ASSESSMENT_COLUMNS.map((c) => `${c} = m.${c}`).join(', ');
    await tx.execute(`update credit_profile t set ${assigned} from credit_profile m where t.customer_id = ? and m.customer_id = ?`, [
      target,
      mergedId,
    ]);
  } else if (kept === 'merged') {
    await tx.execute('update credit_profile set customer_id = ? where customer_id = ?', [target, mergedId]);
  }
  await tx.execute('delete from credit_profile where customer_id = ?', [mergedId]);
}

/**
 * `customer.erased`: the profile goes (scores, revenue and a reviewer's notes are an assessment of
 * the customer, not a record the law makes us keep, and an erased customer buys nothing more on
 * account); the reservations stay, with amounts, orders and stores: they are the receivables and
 * the history of orders and invoices, which the law does make us keep, and they name nobody.
 */
export async function eraseCustomer(tx: EntityManager, customerId: string, erasedAt: Date): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [lockKey(customerId)]);
  await tx.execute(
    `insert into customer_link (tenant_id, customer_id, erased_at) values (?, ?, ?)
     on conflict (tenant_id, customer_id) do update set erased_at = coalesce(customer_link.erased_at, excluded.erased_at)`,
    [tenantOf(tx), customerId, erasedAt],
  );
  await tx.execute('delete from credit_profile where customer_id = ?', [customerId]);
}

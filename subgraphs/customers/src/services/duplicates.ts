import type { EntityManager } from '@comanda/kit';
import { type DuplicateMatch, type DuplicateProfile, rankDuplicates } from '../domain/duplicates.ts';
import { Customer, type CustomerRow } from '../entities.ts';

/** How many candidates the database proposes for the rules to judge. */
const CANDIDATES = 100;
export const MAX_DUPLICATES = 20;

const profile = (c: CustomerRow): DuplicateProfile => ({
  id: c.id,
  kind: c.kind,
  name: c.name,
  emailKey: c.emailKey ?? null,
  phoneKey: c.phoneKey ?? null,
  taxKey: c.taxKey ?? null,
});

/**
 * Active customers that look like `subject`: the database proposes those sharing a tax id,
 * email or phone key, or with a name of similar trigrams (pg_trgm, indexed); the pure rules
 * (domain/duplicates.ts) decide and rank. Two statements, whatever the result.
 */
export async function findDuplicates(em: EntityManager, subject: CustomerRow): Promise<(DuplicateMatch & { customer: CustomerRow })[]> {
  if (subject.status !== 'ACTIVE') return [];
  const proposed = await em.execute<{ id: string }[]>(
    `select id from customer
      where status = 'ACTIVE' and id <> ?
        and (tax_key = ? or email_key = ? or phone_key = ? or name_key operator(public.%) ?)
      order by (tax_key = ? or email_key = ? or phone_key = ?) is true desc, public.similarity(name_key, ?) desc
      limit ${CANDIDATES}`,
    [
      subject.id,
      subject.taxKey ?? null,
      subject.emailKey ?? null,
      subject.phoneKey ?? null,
      subject.nameKey,
      subject.taxKey ?? null,
      subject.emailKey ?? null,
      subject.phoneKey ?? null,
      subject.nameKey,
    ],
  );
  if (!proposed.length) return [];
  const candidates = await em.find(Customer, { id: { $in: proposed.map((p) => p.id) } });
  const byId = new Map(candidates.map((c) => [c.id, c]));
  return rankDuplicates(profile(subject), candidates.map(profile))
    .slice(0, MAX_DUPLICATES)
    .map((m) => ({ ...m, customer: byId.get(m.id)! }));
}

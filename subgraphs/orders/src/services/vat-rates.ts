/** Reading and writing a variant's VAT periods (domain/vat-schedule.ts has the rules). */
import type { EntityManager } from '@comanda/kit';
import type { VatPeriod } from '../domain/vat-schedule.ts';

/** Every period of each variant, oldest first ('-infinity', the creation rate, reads as null). */
export async function vatPeriodsOf(em: EntityManager, variantIds: readonly string[]): Promise<Map<string, VatPeriod[]>> {
  const periods = new Map<string, VatPeriod[]>(variantIds.map((id) => [id, []]));
  if (!variantIds.length) return periods;
  const rows = await em.execute<{ variant_id: string; valid_from: string | null; rate: string }[]>(
    `select variant_id, case when valid_from = '-infinity' then null else valid_from::text end as valid_from, rate::text as rate
       from variant_vat_rate where variant_id in (${variantIds.map(() => '?').join(', ')})
      order by variant_id, valid_from`,
    [...variantIds],
  );
  for (const row of rows) periods.get(row.variant_id)?.push({ validFrom: row.valid_from, rate: row.rate });
  return periods;
}

/** Adds a period, or changes the rate of the one starting that day (validFrom null: the creation rate). */
export async function putVatPeriod(em: EntityManager, tenantId: string, variantId: string, period: VatPeriod, actor: string): Promise<void> {
  await em.execute(
    `insert into variant_vat_rate (tenant_id, variant_id, valid_from, rate, created_by) values (?, ?, coalesce(?::date, '-infinity'), ?, ?)
     on conflict (variant_id, valid_from) do update set rate = excluded.rate, created_at = now(), created_by = excluded.created_by`,
    [tenantId, variantId, period.validFrom, period.rate, actor],
  );
}

export async function deleteVatPeriod(em: EntityManager, variantId: string, validFrom: string): Promise<boolean> {
  const rows = await em.execute<{ variant_id: string }[]>(
    'delete from variant_vat_rate where variant_id = ? and valid_from = ?::date returning variant_id',
    [variantId, validFrom],
  );
  return rows.length > 0;
}

/** The timezones of the tenant's stores: a rate change may not start on a day that has begun in one of them. */
export async function storeTimezones(em: EntityManager): Promise<string[]> {
  const rows = await em.execute<{ timezone: string }[]>('select distinct timezone from store');
  return rows.map((r) => r.timezone);
}

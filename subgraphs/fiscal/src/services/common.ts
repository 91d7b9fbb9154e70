import type { EntityManager } from '@comanda/kit';

/** services never take the tenant from arguments: it is the EntityManager's (kit tenantOf) */
export { tenantOf } from '@comanda/kit';

/**
 * Serializes issuing for one order until the transaction ends, so two deliveries of the same
 * event at once make one document: the second waits, then finds the first one's row.
 */
export async function lockOrderDocument(em: EntityManager, kind: 'receipt' | 'invoice', tenantId: string, orderId: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`fiscal:${kind}:${tenantId}:${orderId}`]);
}

/**
 * The next number of a series, gap-free: the upsert row-locks the counter until the issuing
 * transaction commits (concurrent issuers queue behind it), and a rollback undoes the increment.
 */
export async function nextSequence(em: EntityManager, tenantId: string, scope: string, series: string, year: number): Promise<number> {
  const rows = await em.execute<{ last_seq: number }[]>(
    `insert into document_counter (tenant_id, scope, series, year, last_seq) values (?, ?, ?, ?, 1)
     on conflict (tenant_id, scope, series, year) do update set last_seq = document_counter.last_seq + 1
     returning last_seq`,
    [tenantId, scope, series, year],
  );
  const seq = rows[0]?.last_seq;
  if (seq === undefined) throw new Error('the document counter returned no row');
  return Number(seq);
}

/** Invoices are numbered across all of a tenant's stores. */
export const TENANT_SCOPE = '*';

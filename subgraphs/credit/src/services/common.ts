import type { EntityManager } from '@comanda/kit';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant the EntityManager is bound to (tenantEm): services never take it from arguments. */
export function tenantOf(em: EntityManager): string {
  const tenant = em.getSessionContext()?.variables?.['app.tenant_id'];
  if (typeof tenant !== 'string' || !tenant) throw new Error('the EntityManager is not bound to a tenant: use tenantEm()');
  return tenant;
}

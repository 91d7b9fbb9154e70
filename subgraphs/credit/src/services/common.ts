import type { EntityManager } from '@comanda/kit';
import { UUID } from '@comanda/kit';

export { UUID };

/** The tenant the EntityManager is bound to (tenantEm): services never take it from arguments. */
export function tenantOf(em: EntityManager): string {
  const tenant = em.getSessionContext()?.variables?.['app.tenant_id'];
  if (typeof tenant !== 'string' || !tenant) throw new Error('the EntityManager is not bound to a tenant: use tenantEm()');
  return tenant;
}

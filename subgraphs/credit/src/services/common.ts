/** services never take the tenant from arguments: it is the EntityManager's (kit tenantOf) */
export { tenantOf, UUID } from '@comanda/kit';

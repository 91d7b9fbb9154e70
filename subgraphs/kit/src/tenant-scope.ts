/**
 * The tenant of the GraphQL request being served, kept where the connection pool can see it.
 *
 * Why: MikroORM's per-transaction session context wraps every statement of an EntityManager in
 * BEGIN / set_config / statement / COMMIT: four round trips per read. Inside a request scope
 * the tenant is instead set on the pooled connection when it is reserved, and only when it
 * differs from what that connection already carries, so a read is one round trip.
 *
 * Fail-closed: a connection reserved outside any scope is set back to no tenant (''), which
 * RLS matches to no row, and EntityManagers made by tenantEm() still set the tenant
 * transaction-locally, which wins over the connection's value.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection } from 'kysely';

interface Scope {
  tenantId: string | null;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs one request; its tenant is bound later, once the caller's identity is verified. */
export function runInTenantScope<T>(run: () => Promise<T>): Promise<T> {
  return scopes.run({ tenantId: null }, run);
}

/** Binds the current request scope to a tenant; false when there is no scope to bind. */
export function bindScopeTenant(tenantId: string): boolean {
  const scope = scopes.getStore();
  if (!scope || !tenantId) return false;
  scope.tenantId = tenantId;
  return true;
}

export function scopeTenant(): string | null {
  return scopes.getStore()?.tenantId ?? null;
}

const NO_TENANT = '';
/** What each physical connection carries now (kysely keeps one connection object per client). */
const carried = new WeakMap<DatabaseConnection, string>();

/** MikroORM's onReserveConnection: runs before any BEGIN, so the setting is never rolled back. */
export async function applyScopeTenant(connection: DatabaseConnection): Promise<void> {
  const wanted = scopeTenant() ?? NO_TENANT;
  if (carried.get(connection) === wanted) return;
  carried.delete(connection);
  await connection.executeQuery(CompiledQuery.raw('select set_config($1, $2, false)', ['app.tenant_id', wanted]));
  carried.set(connection, wanted);
}

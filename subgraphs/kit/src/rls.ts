/**
 * SQL for migrations. Tenancy is the database's job: every table has tenant_id, row-level
 * security is enabled AND forced (so even the owner obeys it), and the policy compares with the
 * tenant that the runtime sets per transaction (`app.tenant_id`, see db.ts).
 */
export function tenantIsolation(table: string): string[] {
  const policy = `${table.replace(/\W/g, '_')}_tenant`;
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy ${policy} on ${table} using (tenant_id = current_setting('app.tenant_id', true)) with check (tenant_id = current_setting('app.tenant_id', true))`,
  ];
}

/** The login role a subgraph's runtime uses: no superuser, no BYPASSRLS, only its own schema. */
export function appRole(subgraph: string): string {
  return `comanda_${subgraph}`;
}

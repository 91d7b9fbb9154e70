/** What integration tests use to talk to the stack that the global setup started. */

import { loadKeys, mintToken } from '@comanda/gateway';
import { appDatabaseUrl, type EntityManager, type Identity, openOrm, type Role, type SubgraphModule, signIdentity, tenantEm } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { inject } from 'vitest';
import { demoTenant, otherTenant } from '../../scripts/demo/data.ts';

export const demo = demoTenant;
export const other = otherTenant;

export const gatewayUrl = (): string => inject('gatewayUrl');
export const databaseUrl = (): string => inject('databaseUrl');

let keys: ReturnType<typeof loadKeys> | undefined;
function testKeys() {
  keys ??= loadKeys(inject('keysDir'));
  return keys;
}

export interface TokenOptions {
  role: Role;
  tenant?: string;
  store?: string;
  stores?: string[];
  printer?: string;
  user?: string;
  ttl?: number;
}

export async function tokenFor(options: TokenOptions): Promise<string> {
  const { privateKey } = await testKeys();
  return mintToken(
    {
      tenant: options.tenant ?? demo.tenantId,
      role: options.role,
      user: options.user,
      stores: options.stores ?? (options.store ? [options.store] : undefined),
      printer: options.printer,
      ttl: options.ttl,
    },
    privateKey!,
  );
}

export interface GqlResult<T> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

async function post<T>(url: string, body: unknown, headers: Record<string, string>): Promise<GqlResult<T>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as object) };
  } catch {
    return { status: response.status, errors: [{ message: text }] };
  }
}

/** Through the gateway. `token: null` sends none; by default a demo manager's token. */
export async function gql<T = any>(
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null } = {},
): Promise<GqlResult<T>> {
  const token = options.token === undefined ? await tokenFor({ role: 'manager' }) : options.token;
  return post<T>(gatewayUrl(), { query, variables }, token ? { authorization: `Bearer ${token}` } : {});
}

/** Straight to one subgraph, with a signed internal identity (or none, or a forged one). */
export async function subgraphGql<T = any>(
  name: string,
  query: string,
  variables: Record<string, unknown> = {},
  identity: Partial<Identity> | null = {},
  secret?: string,
): Promise<GqlResult<T>> {
  const urls = inject('subgraphUrls');
  const url = urls[name];
  if (!url) throw new Error(`no subgraph ${name} in the stack`);
  const headers: Record<string, string> = {};
  if (identity) {
    const full: Identity = { tenantId: demo.tenantId, userId: 'test', roles: ['manager'], storeIds: null, printerId: null, ...identity };
    headers['x-comanda-identity'] = await signIdentity(full, secret ?? (await testKeys()).internalSecret);
  }
  return post<T>(url, { query, variables }, headers);
}

/** As the cluster superuser (bypasses RLS): for assertions and counting, never for the app. */
export async function adminQuery<R extends pg.QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const orms = new Map<string, Promise<MikroORM>>();

/** A subgraph's own services, called directly in a transaction bound to a tenant. */
export async function withSubgraphEm<T>(module: SubgraphModule, tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
  let orm = orms.get(module.name);
  if (!orm) {
    orm = openOrm(module.name, module.entities, appDatabaseUrl(databaseUrl(), module.name));
    orms.set(module.name, orm);
  }
  return tenantEm(await orm, tenantId).transactional(work);
}

/** Polls until `check` returns a value (events are asynchronous). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Through the gateway with a known request id; returns the SQL statements each subgraph ran for it. */
export async function gqlCountingSql<T = any>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ result: GqlResult<T>; statements: Record<string, number> }> {
  const requestId = `count-${crypto.randomUUID()}`;
  const token = await tokenFor({ role: 'manager' });
  const result = await post<T>(gatewayUrl(), { query, variables }, { authorization: `Bearer ${token}`, 'x-request-id': requestId });
  const statements: Record<string, number> = {};
  for (const [name, url] of Object.entries(inject('subgraphUrls'))) {
    const res = await fetch(new URL(`/debug/sql?requestId=${requestId}`, url));
    const body = (await res.json()) as { statements: number | null };
    if (body.statements !== null) statements[name] = body.statements;
  }
  return { result, statements };
}

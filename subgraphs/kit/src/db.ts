import { EMBEDDED_LOG_SQL, NOTIFY_CHANNEL } from '@comanda/kafka';
import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { type EntityManager, MikroORM, type Options } from '@mikro-orm/postgresql';
import pg from 'pg';
import { OutboxEvent } from './outbox.ts';
import { appRole, tenantIsolation } from './rls.ts';
import { onQuery } from './sql-count.ts';
import { applyScopeTenant, bindScopeTenant, scopeTenant } from './tenant-scope.ts';

export type { EntityManager };
export type Entities = EntitySchema<any, any>[];

/** The password only matters where the cluster asks for one; trust-auth clusters ignore it. */
export function appDatabaseUrl(adminUrl: string, subgraph: string): string {
  const url = new URL(adminUrl);
  url.username = appRole(subgraph);
  url.password = process.env.COMANDA_DB_APP_PASSWORD ?? appRole(subgraph);
  return url.toString();
}

/** Pool size per subgraph: 7 services share one cluster on a small machine. */
const POOL_MAX = Number(process.env.COMANDA_DB_POOL ?? 10);

export async function openOrm(subgraph: string, entities: Entities, clientUrl: string, poolMax = POOL_MAX): Promise<MikroORM> {
  const options: Options = {
    clientUrl,
    schema: subgraph,
    entities: [OutboxEvent, ...entities],
    pool: { min: 0, max: poolMax },
    debug: process.env.COMANDA_SQL_DEBUG === '1',
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    onQuery,
    onReserveConnection: applyScopeTenant as (connection: unknown) => Promise<void>,
  };
  return MikroORM.init(options);
}

/** Runs in every subgraph before its own migrations: the role, the schema grants and the outbox. */
function kitMigration(subgraph: string): MigrationObject {
  const role = appRole(subgraph);
  class KitRuntime extends Migration {
    override async up(): Promise<void> {
      this.addSql(`do $$ begin
        create role ${role} login password '${role}' nosuperuser nobypassrls;
      exception when duplicate_object then null; end $$`);
      this.addSql(`grant usage on schema ${subgraph} to ${role}`);
      this.addSql(`alter role ${role} set search_path = ${subgraph}`);
      this.addSql(`alter default privileges in schema ${subgraph} grant select, insert, update, delete on tables to ${role}`);
      this.addSql(`alter default privileges in schema ${subgraph} grant usage, select on sequences to ${role}`);
      this.addSql(`create table outbox (
        position bigserial primary key,
        id uuid not null unique,
        tenant_id text not null,
        store_id text,
        aggregate_type text not null,
        aggregate_id text not null,
        sequence bigint not null,
        type text not null,
        data jsonb not null,
        traceparent text,
        occurred_at timestamptz not null default now(),
        txid xid8 not null default pg_current_xact_id(),
        published_at timestamptz,
        unique (aggregate_type, aggregate_id, sequence)
      )`);
      this.addSql('create index outbox_unpublished on outbox (position) where published_at is null');
      for (const sql of tenantIsolation('outbox')) this.addSql(sql);
      this.addSql(`create table inbox (
        consumer text not null,
        event_id uuid not null,
        tenant_id text not null,
        processed_at timestamptz not null default now(),
        primary key (consumer, event_id)
      )`);
      for (const sql of tenantIsolation('inbox')) this.addSql(sql);
    }
  }
  return { name: '0000_kit_runtime', class: KitRuntime };
}

/** The outbox is the log of the embedded transport: the relay role reads it, NOTIFY wakes readers. */
function kitEventsMigration(subgraph: string): MigrationObject {
  class KitEvents extends Migration {
    override async up(): Promise<void> {
      this.addSql(`grant usage on schema ${subgraph} to ${RELAY_ROLE}`);
      this.addSql(`grant select, update (published_at) on outbox to ${RELAY_ROLE}`);
      this.addSql(`create function notify_outbox() returns trigger language plpgsql as $$
        begin perform pg_notify('${NOTIFY_CHANNEL}', tg_table_schema); return null; end $$`);
      this.addSql('create trigger outbox_notify after insert on outbox for each statement execute function notify_outbox()');
    }
  }
  return { name: '0000_kit_runtime_events', class: KitEvents };
}

/** Reads every outbox across tenants (that is its job) and keeps consumer offsets; no other rights. */
export const RELAY_ROLE = appRole('relay');

async function ensureRelay(client: pg.Client): Promise<void> {
  await client.query(`do $$ begin
    create role ${RELAY_ROLE} login password '${RELAY_ROLE}' nosuperuser bypassrls;
  exception when duplicate_object then null; end $$`);
  for (const sql of EMBEDDED_LOG_SQL) await client.query(sql);
  await client.query(`grant usage on schema events to ${RELAY_ROLE}`);
  await client.query(`grant select, insert, update, delete on all tables in schema events to ${RELAY_ROLE}`);
  await client.query(`grant usage on all sequences in schema events to ${RELAY_ROLE}`);
}

/**
 * Applies the kit's and the subgraph's checked-in migrations as the cluster admin (the owner of
 * the tables); the runtime then connects as the subgraph's own role, which RLS applies to.
 * An advisory lock lets several processes start at once without racing.
 */
export async function migrate(subgraph: string, migrations: MigrationObject[], adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [`comanda:migrate:${subgraph}`]);
    await client.query('select pg_advisory_lock(hashtext($1))', ['comanda:migrate:events']);
    try {
      await ensureRelay(client);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', ['comanda:migrate:events']);
    }
    await client.query(`create schema if not exists ${subgraph}`);
    const orm = await MikroORM.init({
      clientUrl: adminUrl,
      schema: subgraph,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      extensions: [Migrator],
      pool: { min: 0, max: 1 },
      migrations: {
        migrationsList: [kitMigration(subgraph), kitEventsMigration(subgraph), ...migrations],
        schema: subgraph,
        tableName: 'mikro_orm_migrations',
        snapshot: false,
        silent: true,
      },
    });
    try {
      await orm.migrator.up();
    } finally {
      await orm.close();
    }
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [`comanda:migrate:${subgraph}`]).catch(() => {});
    await client.end();
  }
}

/** Creates the database when it is missing (a fresh machine, a test run). */
export async function ensureDatabase(adminUrl: string): Promise<void> {
  const url = new URL(adminUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * A request's EntityManager: its own identity map, and every statement it sends runs in a
 * transaction that first sets `app.tenant_id` (MikroORM's session context), so RLS sees the
 * caller's tenant and nothing else.
 */
export function tenantEm(orm: MikroORM, tenantId: string): EntityManager {
  const em = orm.em.fork({ clear: true });
  em.setSessionContext({ variables: { 'app.tenant_id': tenantId } });
  return em;
}

/**
 * A GraphQL request's EntityManager: inside a request scope (tenant-scope.ts) the tenant rides
 * on the reserved connection, so reads skip the per-statement transaction; elsewhere it is
 * tenantEm().
 */
export function requestEm(orm: MikroORM, tenantId: string): EntityManager {
  return bindScopeTenant(tenantId) ? orm.em.fork({ clear: true }) : tenantEm(orm, tenantId);
}

/** The tenant an EntityManager works for: its own session context, or the request scope's. */
export function tenantOf(em: EntityManager): string {
  const tenant = em.getSessionContext()?.variables?.['app.tenant_id'] ?? scopeTenant();
  if (typeof tenant !== 'string' || !tenant) throw new Error('the EntityManager is not bound to a tenant: use tenantEm()');
  return tenant;
}

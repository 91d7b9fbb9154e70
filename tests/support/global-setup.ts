/**
 * Once per `npm test`: a fresh database, every subgraph migrated and seeded with the demo
 * tenant and a second tenant, all six subgraphs and the gateway on free ports. Test files
 * reach them through tests/support/client.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_PASSWORD, DEV_USERS, loadKeys } from '@comanda/gateway';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureBroker } from '../../kafka/test/ensure-broker.ts';
import { demoTenant, otherTenant } from '../../scripts/demo/data.ts';
import { openDatabase } from '../../scripts/postgres.ts';
import { type Stack, startStack } from '../../scripts/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    subgraphUrls: Record<string, string>;
    databaseUrl: string;
    keysDir: string;
    transport: 'kafka' | 'embedded';
  }
}

// one database per run and project, so runs side by side (a developer and CI, two helpers) never collide
const testDatabaseName = (project: string) => `comanda_test_${project}_${process.pid}`;

async function freshDatabase(testDb: string): Promise<{ url: string; stop: () => Promise<void>; drop: () => Promise<void> }> {
  const explicit = process.env.TEST_DATABASE_URL;
  const base = explicit ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  const name = explicit ? decodeURIComponent(url.pathname.slice(1)) : testDb;
  url.pathname = '/postgres';
  let admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  let stop = async () => {};
  try {
    await admin.connect();
  } catch {
    // no server there: run the tests on the embedded PostgreSQL instead
    delete process.env.DATABASE_URL;
    const embedded = await openDatabase(name);
    stop = embedded.stop;
    url.href = new URL(embedded.url).href;
    url.pathname = '/postgres';
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
  }
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
  const adminUrl = url.toString();
  url.pathname = `/${name}`;
  const drop = async () => {
    if (explicit) return;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists "${name}" with (force)`).catch(() => {});
    await client.end();
  };
  return { url: url.toString(), stop, drop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.LOG_LEVEL ??= 'silent';
  process.env.COMANDA_COUNT_SQL = '1';
  const keysDir = mkdtempSync(join(tmpdir(), 'comanda-keys-'));
  process.env.COMANDA_KEYS_DIR = keysDir;
  // the `kafka` project runs the same flows with every event going through a real broker
  const env = { ...process.env };
  if (project.name === 'kafka') {
    env.KAFKA_BROKERS ||= '127.0.0.1:9092';
    // this run's consumer groups are its own: a run beside it on the same broker has other databases
    env.COMANDA_KAFKA_GROUP_PREFIX = `test-${process.pid}.`;
    await ensureBroker();
  } else {
    delete env.KAFKA_BROKERS;
  }
  const database = await freshDatabase(testDatabaseName(project.name));
  const keys = await loadKeys(keysDir);
  let stack: Stack;
  try {
    // devLogin: the POS's browser tests sign in as npm start's users do
    const devLogin = { tenantId: demoTenant.tenantId, password: DEV_PASSWORD, users: DEV_USERS };
    stack = await startStack({ databaseUrl: database.url, keys, ephemeralPorts: true, tenants: [demoTenant, otherTenant], env, devLogin });
  } catch (error) {
    await database.stop();
    throw error;
  }
  project.provide('gatewayUrl', stack.gateway.url);
  project.provide('subgraphUrls', Object.fromEntries(Object.entries(stack.subgraphs).map(([n, r]) => [n, r.url])));
  project.provide('databaseUrl', database.url);
  project.provide('keysDir', keysDir);
  project.provide('transport', project.name === 'kafka' ? 'kafka' : 'embedded');
  return async () => {
    await stack.stop();
    await database.drop();
    await database.stop();
    rmSync(keysDir, { recursive: true, force: true });
  };
}

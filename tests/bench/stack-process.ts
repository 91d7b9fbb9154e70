import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface StackProcess {
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  databaseUrl: string;
  stop: () => Promise<void>;
}

/**
 * The stack in its own process (as in production: the load generator must not share an
 * event loop with the servers), on a fresh database named after the benchmark.
 */
export async function startStackProcess(database: string): Promise<StackProcess> {
  const admin = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const url = new URL(admin);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`drop database if exists "${database}" with (force)`);
  await client.query(`create database "${database}"`);
  await client.end();
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();

  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL('../../scripts/start.ts', import.meta.url)), '--ready-json'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ gatewayUrl: string; subgraphUrls: Record<string, string> }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the stack exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line));
    });
  });
  return {
    ...ready,
    databaseUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

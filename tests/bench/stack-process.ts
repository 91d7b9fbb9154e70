import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface StackProcess {
  /** the gateway the benchmark talks to: its own process when `separateGateway` */
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  storeIds: string[];
  databaseUrl: string;
  /** resident memory of the gateway's process, bytes */
  gatewayRss: () => number;
  stop: () => Promise<void>;
}

export interface StackProcessOptions {
  /** seed the demo tenant with this many stores */
  stores?: number;
  /** run the gateway in a process of its own, as deployed (docker-compose): Node then has both cores */
  separateGateway?: boolean;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) * 1024 : 0;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    const ok = await fetch(url.replace(/\/graphql$/, '/healthz')).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the gateway did not answer /healthz within 60 s');
}

/**
 * The stack in its own process (as in production: the load generator must not share an
 * event loop with the servers), on a fresh database named after the benchmark.
 */
export async function startStackProcess(database: string, options: StackProcessOptions = {}): Promise<StackProcess> {
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

  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=.prof' profiles the stack (and the gateway) while it is measured
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const stack: ChildProcess = spawn(process.execPath, [...nodeArgs, here('./stack-main.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', BENCH_STORES: String(options.stores ?? 0) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ gatewayUrl: string; subgraphUrls: Record<string, string>; storeIds: string[] }>((resolve, reject) => {
    stack.once('exit', (code) => reject(new Error(`the stack exited with ${code}`)));
    createInterface({ input: stack.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line));
    });
  });

  let gateway: ChildProcess | null = null;
  let gatewayUrl = ready.gatewayUrl;
  if (options.separateGateway) {
    const port = await freePort();
    const subgraphEnv = Object.fromEntries(Object.entries(ready.subgraphUrls).map(([name, u]) => [`COMANDA_${name.toUpperCase()}_URL`, u]));
    gateway = spawn(process.execPath, [...nodeArgs, here('../../gateway/src/main.ts')], {
      env: { ...process.env, ...subgraphEnv, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    gatewayUrl = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(gatewayUrl, gateway);
  }
  return {
    ...ready,
    gatewayUrl,
    databaseUrl,
    gatewayRss: () => rssOf(gateway?.pid ?? stack.pid),
    stop: async () => {
      if (gateway) await stopChild(gateway);
      await stopChild(stack);
    },
  };
}

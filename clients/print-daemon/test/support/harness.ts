/**
 * What the daemon's integration tests share: a tenant of their own (so no other test's tickets
 * reach their printers and their daemons touch no other test's jobs), sales through the
 * gateway, and the daemon run in this process or as a child process like in production.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { appDatabaseUrl, openOrm, tenantEm } from '@comanda/kit';
import { type DemoTenant, idOf } from '../../../../scripts/demo/data.ts';
import { loadSubgraphs } from '../../../../scripts/stack.ts';
import { databaseUrl, demo, eventually, gatewayUrl, gql, tokenFor } from '../../../../tests/support/client.ts';
import { pay, placePosOrder } from '../../../../tests/support/flows.ts';
import { type Daemon, type DaemonOptions, startDaemon } from '../../src/daemon.ts';
import { renderJob } from '../../src/documents/index.ts';
import { encodeTicket } from '../../src/escpos.ts';
import { createLogger } from '../../src/log.ts';
import { openPrinter } from '../../src/printer/index.ts';
import { Spool } from '../../src/spool.ts';

/** A copy of the demo tenant's two stores and a few products, under ids of its own. */
export function printTenant(name: string): DemoTenant {
  const tenantId = `print-${name}`;
  const id = (old: string) => idOf(`${tenantId}:${old}`);
  return {
    tenantId,
    stores: demo.stores.map((s, i) => ({
      ...s,
      id: id(s.id),
      name: i === 0 ? `Comanda Print București ${name}` : `${s.name} ${name}`,
      locationId: id(s.locationId),
      printerId: id(s.printerId),
    })),
    products: demo.products.slice(0, 4).map((p) => ({
      ...p,
      id: id(p.id),
      variants: p.variants.map((v) => ({ ...v, id: id(v.id), productId: id(v.productId) })),
    })),
    customers: [],
  };
}

/**
 * Seeds the tenant in every subgraph (stores, catalog, stock, printers), as the global setup
 * seeds the demo, each through a connection of its own closed right after (connections are scarce
 * when several stacks share one PostgreSQL).
 */
export async function seedTenant(tenant: DemoTenant): Promise<void> {
  for (const { module, seed } of await loadSubgraphs()) {
    if (!seed) continue;
    const orm = await openOrm(module.name, module.entities, appDatabaseUrl(databaseUrl(), module.name), 2);
    try {
      await tenantEm(orm, tenant.tenantId).transactional((em) => seed(em, tenant));
    } finally {
      await orm.close();
    }
  }
}

export const managerOf = (tenant: DemoTenant) => tokenFor({ role: 'manager', tenant: tenant.tenantId });
export const deviceOf = (tenant: DemoTenant, store = tenant.stores[0]!) =>
  tokenFor({ role: 'device', tenant: tenant.tenantId, printer: store.printerId, store: store.id, ttl: 3600 });

export interface Sale {
  orderId: string;
  orderNumber: string;
  total: string;
}

/** A POS sale at the tenant's first store, paid in cash with change: fiscal issues its receipt and queues its ticket. */
export async function sell(tenant: DemoTenant, lines?: { variantId: string; quantity: string }[]): Promise<Sale> {
  const token = await managerOf(tenant);
  const variants = tenant.products.flatMap((p) => p.variants);
  const order = await placePosOrder({
    token,
    storeId: tenant.stores[0]!.id,
    lines: lines ?? [
      { variantId: variants[0]!.id, quantity: '1' },
      { variantId: variants[3]!.id, quantity: '2' },
    ],
  });
  const tendered = String(Math.ceil(Number(order.total.amount) / 50) * 50 + 50);
  await pay(order.id, order.total.amount, 'CASH', `${tendered}.00`, { token });
  return { orderId: order.id, orderNumber: order.number, total: order.total.amount };
}

export interface IssuedReceipt {
  id: string;
  number: string;
  qrPayload: string;
  total: { amount: string; currencyCode: string };
  vatBreakdown: { rate: string; taxableAmount: { amount: string }; taxAmount: { amount: string } }[];
  lines: { name: string; quantity: string; unitPrice: { amount: string }; total: { amount: string } }[];
  payments: { method: string; amount: { amount: string }; change: { amount: string } | null }[];
  printJobs: { id: string; status: string; copy: boolean; attempts: number; lastError: string | null }[];
}

/** The sale's receipt as the gateway serves it, once fiscal issued it. */
export async function receiptOf(tenant: DemoTenant, orderId: string): Promise<IssuedReceipt> {
  const token = await managerOf(tenant);
  return eventually(async () => {
    const res = await gql(
      `query($id: ID!) { order(id: $id) { receipt {
        id number qrPayload total { amount currencyCode }
        vatBreakdown { rate taxableAmount { amount } taxAmount { amount } }
        lines { name quantity unitPrice { amount } total { amount } }
        payments { method amount { amount } change { amount } }
        printJobs { id status copy attempts lastError }
      } } }`,
      { id: orderId },
      { token },
    );
    return res.data?.order?.receipt ?? null;
  }, 20_000);
}

/** Waits until the receipt's print jobs satisfy `match`, and returns them. */
export async function jobsWhen(
  tenant: DemoTenant,
  orderId: string,
  match: (jobs: IssuedReceipt['printJobs']) => boolean,
  timeoutMs = 20_000,
): Promise<IssuedReceipt['printJobs']> {
  return eventually(async () => {
    const jobs = (await receiptOf(tenant, orderId)).printJobs;
    return match(jobs) ? jobs : null;
  }, timeoutMs);
}

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface InProcessDaemon {
  daemon: Daemon;
  spoolDir: string;
  logs: LogLine[];
  /** resolves once the daemon caught up twice after connecting (its live subscription is then upstream too) */
  live: Promise<void>;
}

/** The daemon in this process, its logs kept for assertions. */
export async function runDaemon(
  tenant: DemoTenant,
  printerAddress: string,
  options: Partial<DaemonOptions> & { token?: string; printerId?: string; spoolDir?: string; url?: string } = {},
): Promise<InProcessDaemon> {
  const { token: given, printerId, spoolDir: dir, url, ...rest } = options;
  const logs: LogLine[] = [];
  const log = createLogger('debug', {}, (line) => void logs.push(JSON.parse(line) as LogLine));
  const token = given ?? (await deviceOf(tenant));
  const spoolDir = dir ?? mkdtempSync(join(tmpdir(), 'comanda-print-spool-'));
  const daemon = startDaemon({
    printerId: printerId ?? tenant.stores[0]!.printerId,
    gateway: { url: url ?? gatewayUrl(), token: () => token, log },
    printer: openPrinter(printerAddress, 1000),
    spool: Spool.open(spoolDir),
    render: (job) => encodeTicket(renderJob(job, 48), { columns: 48, codepage: 'cp852' }),
    log,
    pollMs: 200,
    recheckAfterConnectMs: 1000,
    ...rest,
  });
  const live = new Promise<void>((resolve) => {
    const onCaughtUp = ({ why }: { why: string }) => {
      if (why !== 'settled after connecting') return;
      daemon.events.off('caught-up', onCaughtUp);
      resolve();
    };
    daemon.events.on('caught-up', onCaughtUp);
  });
  return { daemon, spoolDir, logs, live };
}

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

/** Node 24 from the node devDependency when the test runner's is older (the daemon needs type stripping). */
function node(): string {
  const local = join(repo, 'node_modules', '.bin', 'node');
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 18) || !existsSync(local) ? process.execPath : local;
}

export interface ChildDaemon {
  child: ChildProcess;
  logs: LogLine[];
  /** the first log line that matches, as it arrives */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
}

/** `node clients/print-daemon/src/main.ts FLAGS`, as production runs it; its JSON logs parsed. */
export function spawnDaemon(args: string[], env: Record<string, string> = {}): ChildDaemon {
  const child = spawn(node(), [join(repo, 'clients/print-daemon/src/main.ts'), ...args], {
    cwd: repo,
    env: { ...process.env, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ level: 'raw', msg: line });
    }
    for (const wake of waiters) wake();
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    exited,
    waitForLog(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such log line in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}\nlogs: ${JSON.stringify(logs.slice(-20))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * The queue of sales. Every completed sale is written to IndexedDB first and sent from there,
 * online or not, so one code path serves both and a crash or reload loses nothing. Sales are
 * sent strictly in the order they were taken, one at a time (also across tabs: a Web Lock);
 * a sale the server refuses is set aside as a conflict for the cashier and the next goes on,
 * while a network failure stops the run until the connection is back.
 */
import { type Api, AuthError, OfflineError } from '../graphql/api.ts';
import { database } from './db.ts';
import { NotYetKnown, type QueuedSale, sendSale } from './sale.ts';

/** done sales kept for the recent-sales list (reprints); older ones are removed */
const KEEP_DONE = 30;
const RETRY_MS = 5_000;

export type QueueListener = (sale: QueuedSale) => void;

function clone<T>(value: T): T {
  return structuredClone(value);
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return work();
  return locks.request('comanda-pos-queue', work) as Promise<T>;
}

export class Outbox {
  /** every sale still in the queue, oldest first (raw: replaced, never mutated in place) */
  sales = $state.raw<QueuedSale[]>([]);
  sending = $state(false);
  /** why the last run stopped early ('offline', 'sign in again', ...) */
  blocked = $state<string | null>(null);

  private chain: Promise<void> = Promise.resolve();
  private api: Api | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<QueueListener>();

  get waiting(): QueuedSale[] {
    return this.sales.filter((s) => s.state === 'queued' || s.state === 'placed');
  }
  get conflicts(): QueuedSale[] {
    return this.sales.filter((s) => s.state === 'conflict');
  }
  get recent(): QueuedSale[] {
    return this.sales.filter((s) => s.state === 'done').reverse();
  }

  /** the API to send with (null: signed out, nothing is sent) */
  use(api: Api | null): void {
    this.api = api;
    if (api) void this.drain();
  }

  onChange(listener: QueueListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): Promise<void> {
    const db = await database();
    this.sales = await db.getAll('sales');
  }

  /** writes the sale to IndexedDB (it is safe from here on) and starts sending */
  async enqueue(sale: QueuedSale): Promise<QueuedSale> {
    const db = await database();
    const stored = clone(sale);
    delete stored.seq;
    stored.seq = await db.add('sales', stored);
    this.sales = [...this.sales, stored];
    return stored;
  }

  /** sends everything waiting, in order; resolves when this pass is over */
  drain(): Promise<void> {
    this.chain = this.chain.then(() => this.pass()).catch(() => {});
    return this.chain;
  }

  /** enqueue, then send up to and including this sale; returns it as it ended */
  async complete(sale: QueuedSale): Promise<QueuedSale> {
    const stored = await this.enqueue(sale);
    await this.drain();
    return this.find(stored.clientOrderId) ?? stored;
  }

  find(clientOrderId: string): QueuedSale | undefined {
    return this.sales.find((s) => s.clientOrderId === clientOrderId);
  }

  /** a sale whose conflict the cashier resolved: back into the queue, at its place */
  async retry(sale: QueuedSale, change: (sale: QueuedSale) => void): Promise<QueuedSale> {
    const next = clone(sale);
    change(next);
    next.conflict = undefined;
    next.state = next.order ? 'placed' : 'queued';
    for (const payment of next.payments) if (payment.state === 'failed') payment.state = 'pending';
    await this.save(next);
    await this.drain();
    return this.find(sale.clientOrderId) ?? next;
  }

  /** the cashier gave up on a sale the server refused; it was never placed */
  async dismiss(sale: QueuedSale): Promise<void> {
    if (sale.seq === undefined || sale.order) throw new Error('only a sale the server never placed can be dismissed');
    const db = await database();
    await db.delete('sales', sale.seq);
    this.sales = this.sales.filter((s) => s.seq !== sale.seq);
  }

  private async save(sale: QueuedSale): Promise<void> {
    const stored = clone(sale);
    const db = await database();
    await db.put('sales', stored);
    this.sales = this.sales.map((s) => (s.seq === stored.seq ? stored : s));
    for (const listener of this.listeners) listener(stored);
  }

  private async pass(): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (globalThis.navigator?.onLine === false) {
      // nothing to try: the browser's 'online' event starts the next pass
      this.blocked = 'offline';
      return;
    }
    await withLock(async () => {
      // another tab may have sent some: the database is the truth
      await this.load();
      this.sending = true;
      this.blocked = null;
      try {
        for (const sale of this.waiting) {
          await sendSale(api, clone(sale), { save: (s) => this.save(s) });
        }
        await this.prune();
      } catch (error) {
        this.blocked =
          error instanceof OfflineError
            ? 'offline'
            : error instanceof AuthError
              ? 'sign in again'
              : error instanceof NotYetKnown
                ? 'waiting for the server'
                : (error as Error).message;
        if (!(error instanceof AuthError)) this.retryLater();
      } finally {
        this.sending = false;
      }
    });
  }

  private retryLater(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, RETRY_MS);
  }

  private async prune(): Promise<void> {
    const done = this.sales.filter((s) => s.state === 'done');
    const old = done.slice(0, Math.max(0, done.length - KEEP_DONE));
    if (!old.length) return;
    const db = await database();
    for (const sale of old) if (sale.seq !== undefined) await db.delete('sales', sale.seq);
    const gone = new Set(old.map((s) => s.seq));
    this.sales = this.sales.filter((s) => !gone.has(s.seq));
  }
}

export const outbox = new Outbox();

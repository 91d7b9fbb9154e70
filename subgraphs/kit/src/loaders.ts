import DataLoader from 'dataloader';
import { UUID } from './ids.ts';

export type BatchFn<K, V> = (keys: readonly K[]) => Promise<readonly (V | Error)[]>;

/**
 * Per-request DataLoaders, created on first use under a name, so every per-parent lookup and
 * every `__resolveReference` is batched and the number of SQL statements does not grow with
 * the page size.
 */
export class Loaders {
  readonly #loaders = new Map<string, DataLoader<unknown, unknown>>();

  get<K, V>(name: string, batch: BatchFn<K, V>): DataLoader<K, V> {
    let loader = this.#loaders.get(name);
    if (!loader) {
      loader = new DataLoader<unknown, unknown>(batch as BatchFn<unknown, unknown>, { maxBatchSize: 500 });
      this.#loaders.set(name, loader);
    }
    return loader as DataLoader<K, V>;
  }
}

/** Orders rows to match the keys; a missing key gives null. */
export function byKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((k) => map.get(k) ?? null);
}

/** Groups rows per key, in the keys' order; a key without rows gets []. */
export function groupByKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

type Fetch<V> = (ids: readonly string[]) => Promise<V[]>;

/**
 * The row with this id, through the request's loader named `name`: ids are batched into one
 * `fetch`, and a malformed id resolves to null without reaching SQL.
 */
export function loadOne<V>(ctx: { loaders: Loaders }, name: string, id: string, fetch: Fetch<V>, keyOf: (row: V) => string): Promise<V | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return ctx.loaders.get<string, V | null>(name, async (ids) => byKey(ids, await fetch(ids), keyOf)).load(id.toLowerCase());
}

/** The rows belonging to this parent id, batched like `loadOne`; a malformed id gives []. */
export function loadMany<V>(ctx: { loaders: Loaders }, name: string, id: string, fetch: Fetch<V>, keyOf: (row: V) => string): Promise<V[]> {
  if (!UUID.test(id)) return Promise.resolve([]);
  return ctx.loaders.get<string, V[]>(name, async (ids) => groupByKey(ids, await fetch(ids), keyOf)).load(id.toLowerCase());
}

import DataLoader from 'dataloader';

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

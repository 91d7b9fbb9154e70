/**
 * Remembers what verifying a token proved, until the token itself expires.
 *
 * Why: one GraphQL request through the gateway reaches up to ten subgraph fetches, each with
 * the same signed identity; verifying the signature once per token instead of once per fetch
 * takes a share of every request's CPU. Only successes are kept, keyed by the token and the
 * key it was checked with, so a token is never accepted under a key that did not sign it.
 */
import { LRUCache } from 'lru-cache';

export interface Verified<T> {
  value: T;
  /** when the token stops being valid, epoch milliseconds */
  expiresAt: number;
}

export function memoizeVerification<K extends object | string, T extends object>(
  verify: (token: string, key: K) => Promise<Verified<T>>,
  max = 10_000,
): (token: string, key: K) => Promise<T> {
  // a small number per verification key, so cache keys never hold the key (a secret) itself
  const objectKeyIds = new WeakMap<object, number>();
  const stringKeyIds = new Map<string, number>();
  let keysSeen = 0;
  const keyId = (key: K): number => {
    const known = typeof key === 'string' ? stringKeyIds.get(key) : objectKeyIds.get(key);
    if (known !== undefined) return known;
    keysSeen += 1;
    if (typeof key === 'string') stringKeyIds.set(key, keysSeen);
    else objectKeyIds.set(key, keysSeen);
    return keysSeen;
  };
  const cache = new LRUCache<string, Verified<T>>({ max });
  return async (token, key) => {
    const cacheKey = `${keyId(key)}:${token}`;
    const hit = cache.get(cacheKey);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const verified = await verify(token, key);
    cache.set(cacheKey, verified);
    return verified.value;
  };
}

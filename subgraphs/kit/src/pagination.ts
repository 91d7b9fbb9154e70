import { DomainError } from './errors.ts';
import { UUID } from './ids.ts';

export const MAX_PAGE_SIZE = 250;
export const DEFAULT_PAGE_SIZE = 50;

/** `first` capped at 250 (DESIGN.md); zero or negative is a mistake, not an empty page. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1) throw new DomainError('INVALID_PAGE_SIZE', 'first must be a positive integer', ['first']);
  return Math.min(first, MAX_PAGE_SIZE);
}

/** Keyset cursors: opaque to clients, stable under inserts. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): (string | number)[] | null {
  if (!cursor) return null;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.every((p) => typeof p === 'string' || typeof p === 'number')) return parts;
  } catch {
    // fall through to the error below
  }
  throw new DomainError('INVALID_CURSOR', 'the cursor is not one this API gave out', ['after']);
}

/**
 * A keyset cursor is [sort value, id]. A cursor that decodes but was not made here (a
 * hand-edited one) must not reach SQL as a malformed uuid or timestamp: that would be a 500.
 */
export function keysetCursor(after: string | null | undefined, sortValue: 'text' | 'timestamp'): [string, string] | null {
  const parts = decodeCursor(after);
  if (!parts) return null;
  const [value, id] = parts;
  const valid =
    parts.length === 2 &&
    typeof value === 'string' &&
    typeof id === 'string' &&
    UUID.test(id) &&
    (sortValue === 'text' || !Number.isNaN(Date.parse(value)));
  if (!valid) throw new DomainError('INVALID_CURSOR', 'the cursor is not one this API gave out', ['after']);
  return [value, id];
}

/** A [created at, id] keyset cursor, the usual one for newest- or oldest-first pages. */
export function timeKeysetCursor(after: string | null | undefined): { createdAt: Date; id: string } | null {
  const cursor = keysetCursor(after, 'timestamp');
  return cursor && { createdAt: new Date(cursor[0]), id: cursor[1] };
}

export interface Connection<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Build a connection from `limit + 1` fetched rows: the extra row only says there is more. */
export function toConnection<T>(rows: T[], limit: number, cursorOf: (row: T) => (string | number)[]): Connection<T> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    nodes,
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

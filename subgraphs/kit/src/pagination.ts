import { DomainError } from './errors.ts';

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

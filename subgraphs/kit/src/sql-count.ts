import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the SQL statements each request sends, so tests can prove that a page of 100 costs
 * the same number of statements as a page of 10 (no N+1). Off unless COMANDA_COUNT_SQL=1:
 * then /debug/sql?requestId=... answers with the count of a recent request.
 */
export const countingEnabled = (): boolean => process.env.COMANDA_COUNT_SQL === '1';

const current = new AsyncLocalStorage<{ statements: number }>();
const recent = new Map<string, number>();
const KEEP = 2000;

/** Transaction control and the RLS session variable are plumbing, not the request's queries. */
const PLUMBING = /^\s*(begin|commit|rollback|savepoint|release|select set_config)/i;

export function onQuery(sql: string): string {
  const counter = current.getStore();
  if (counter && !PLUMBING.test(sql)) counter.statements++;
  return sql;
}

export async function countRequest<T>(requestId: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!requestId || !countingEnabled()) return run();
  const counter = { statements: 0 };
  try {
    return await current.run(counter, run);
  } finally {
    recent.set(requestId, (recent.get(requestId) ?? 0) + counter.statements);
    if (recent.size > KEEP) recent.delete(recent.keys().next().value as string);
  }
}

export function statementsOf(requestId: string): number | undefined {
  return recent.get(requestId);
}

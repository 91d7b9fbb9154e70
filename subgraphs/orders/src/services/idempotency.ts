/**
 * Create mutations a client may retry (createProduct, addVariant) take an optional key: the
 * first request's result is remembered with the request's fingerprint, so a retry returns it
 * (`replayed`) and a different request under the same key is IDEMPOTENCY_CONFLICT. A concurrent
 * twin loses on the primary key and is rerun by retryOnConflict, which then replays.
 */
import { DomainError, type EntityManager, fingerprint } from '@comanda/kit';

const MAX_KEY = 200;

export interface IdempotentRequest {
  scope: string;
  key: string;
  fingerprint: string;
}

/** null without a key; the key checked and the body fingerprinted otherwise. */
export function idempotentRequest(scope: string, key: string | null | undefined, body: unknown): IdempotentRequest | null {
  if (key === null || key === undefined) return null;
  const trimmed = key.trim();
  if (!trimmed || trimmed.length > MAX_KEY) {
    throw new DomainError('INVALID_IDEMPOTENCY_KEY', `the idempotency key is 1 to ${MAX_KEY} characters`, ['input', 'idempotencyKey']);
  }
  return { scope, key: trimmed, fingerprint: fingerprint(body) };
}

/** The id the first request under this key made, or null when it is the first. */
export async function priorResult(em: EntityManager, request: IdempotentRequest | null): Promise<string | null> {
  if (!request) return null;
  const [row] = await em.execute<{ request_fingerprint: string; result_id: string }[]>(
    'select request_fingerprint, result_id from idempotency_record where scope = ? and key = ?',
    [request.scope, request.key],
  );
  if (!row) return null;
  if (row.request_fingerprint !== request.fingerprint) {
    throw new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different request', ['input', 'idempotencyKey']);
  }
  return row.result_id;
}

export async function rememberResult(em: EntityManager, tenantId: string, request: IdempotentRequest | null, resultId: string): Promise<void> {
  if (!request) return;
  await em.execute('insert into idempotency_record (tenant_id, scope, key, request_fingerprint, result_id) values (?, ?, ?, ?, ?)', [
    tenantId,
    request.scope,
    request.key,
    request.fingerprint,
    resultId,
  ]);
}

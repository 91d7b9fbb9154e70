import { DomainError, type EntityManager, type Logger } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { OrderAccount, type OrderAccountRow } from '../entities.ts';
import type { Providers } from '../providers/index.ts';
import { CircuitOpen, ProviderUnavailable } from '../providers/provider.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PaymentDeps {
  providers: Providers;
  log: Logger;
}

export function checkIdempotencyKey(key: string): string {
  const trimmed = key.trim();
  if (!trimmed || trimmed.length > 200) {
    throw new DomainError('INVALID_IDEMPOTENCY_KEY', 'the idempotency key is 1 to 200 characters', ['input', 'idempotencyKey']);
  }
  return trimmed;
}

export function idempotencyConflict(): DomainError {
  return new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different request', ['input', 'idempotencyKey']);
}

/** Locks the order's row: payments and refunds on one order run one at a time, so sums never race. */
export async function lockOrderAccount(tx: EntityManager, orderId: string): Promise<OrderAccountRow | null> {
  if (!UUID.test(orderId)) return null;
  return tx.findOne(OrderAccount, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** Provider calls as domain outcomes: a timeout (after retries) or an open circuit is retryable and nothing was written. */
export async function callProvider<T>(call: () => Promise<T>, field: string[]): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CircuitOpen) {
      throw new DomainError('PROVIDER_UNAVAILABLE', `the payment provider is failing; nothing was charged or refunded. ${error.message}`, field);
    }
    if (error instanceof ProviderUnavailable) {
      throw new DomainError('PROVIDER_UNAVAILABLE', 'the payment provider did not answer; nothing was charged or refunded, retry in a moment', field);
    }
    throw error;
  }
}

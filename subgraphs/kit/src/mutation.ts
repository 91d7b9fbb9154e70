import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, type UserError } from './errors.ts';
import { isUniqueViolation } from './idempotency.ts';

export type Payload<T> = { [K in keyof T]: T[K] | null } & { userErrors: UserError[] };

/**
 * Runs a write in one transaction (domain rows and outbox rows commit together). A DomainError
 * rolls everything back and becomes `userErrors`; anything else is a bug and propagates.
 * `empty` names the payload fields to null out on failure.
 */
export async function runMutation<T extends Record<string, unknown>>(
  em: EntityManager,
  empty: { [K in keyof NoInfer<T>]: null },
  work: (tx: EntityManager) => Promise<T>,
): Promise<Payload<T>> {
  try {
    const result = await em.transactional((tx) => work(tx));
    return { ...result, userErrors: [] } as Payload<T>;
  } catch (error) {
    if (error instanceof DomainError) return { ...empty, userErrors: error.errors } as Payload<T>;
    throw error;
  }
}

/**
 * Retries a write that lost a race on a unique key (two identical requests at once): the retry
 * finds the winner's row and replays it. Serialization failures are retried as well.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const retryable = isUniqueViolation(error) || code === '40001' || code === '40P01';
      if (!retryable || i >= tries) throw error;
    }
  }
}

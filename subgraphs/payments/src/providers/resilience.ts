import { CircuitOpen } from './provider.ts';

/**
 * How provider calls survive a flaky gateway: a few retries with growing, jittered pauses for
 * transient failures, and a circuit breaker that stops calling a provider that keeps failing, so
 * cashiers get an answer at once instead of waiting out timeouts. Time and sleep are passed in:
 * the rules are tested without waiting.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** consecutive failures that open the circuit */
  failureThreshold: number;
  /** how long it stays open before one trial call may go out */
  coolDownMs: number;
  now?: () => number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, coolDownMs: 30_000 };

interface Permit {
  generation: number;
  trial: boolean;
}

/**
 * closed -> open after `failureThreshold` consecutive failures -> half-open once `coolDownMs`
 * has passed, when exactly one trial call goes out: its success closes the circuit, its failure
 * opens it for another cool-down. Results of calls started before a state change are ignored
 * (a slow call that started while closed does not close a circuit that has opened since).
 */
export class CircuitBreaker {
  readonly name: string;
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialOut = false;
  #generation = 0;

  constructor(name: string, options: BreakerOptions = DEFAULT_BREAKER) {
    this.name = name;
    this.#threshold = options.failureThreshold;
    this.#coolDownMs = options.coolDownMs;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.#state === 'open' && this.#now() - this.#openedAt >= this.#coolDownMs ? 'half-open' : this.#state;
  }

  /** Runs the call if the circuit lets it through; `isFailure` says which errors count against the provider. */
  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    const permit = this.#acquire();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.#settle(permit, !isFailure(error));
      throw error;
    }
    this.#settle(permit, true);
    return result;
  }

  #acquire(): Permit {
    const state = this.state;
    if (state === 'closed') return { generation: this.#generation, trial: false };
    if (state === 'half-open' && !this.#trialOut) {
      this.#move('half-open');
      this.#trialOut = true;
      return { generation: this.#generation, trial: true };
    }
    throw new CircuitOpen(this.name, Math.max(this.#openedAt + this.#coolDownMs - this.#now(), 0));
  }

  #settle(permit: Permit, ok: boolean): void {
    if (permit.generation !== this.#generation) return;
    if (permit.trial) {
      this.#move(ok ? 'closed' : 'open');
      return;
    }
    if (ok) {
      this.#failures = 0;
    } else if (++this.#failures >= this.#threshold) {
      this.#move('open');
    }
  }

  #move(to: CircuitState): void {
    this.#state = to;
    this.#generation++;
    this.#failures = 0;
    this.#trialOut = false;
    if (to === 'open') this.#openedAt = this.#now();
  }
}

export interface RetryPolicy {
  /** tries in all, the first included */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * The pause before retry number `retry` (1 = the first retry): exponential, capped, and
 * jittered between half and all of it so that many clients failing together do not retry in step.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface RetryOptions {
  isTransient: (error: unknown) => boolean;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Retries transient failures only; anything else (a decline, a bug, an open circuit) is final at once. */
export async function withRetries<T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !options.isTransient(error)) throw error;
      await options.sleep(backoffDelay(attempt, policy, options.random));
    }
  }
}

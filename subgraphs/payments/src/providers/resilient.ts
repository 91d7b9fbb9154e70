import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AuthorizeOutcome,
  AuthorizeRequest,
  PaymentProvider,
  ProviderOutcome,
  ProviderPaymentStatus,
  ProviderWebhookEvent,
  RefundRequest,
} from './provider.ts';
import { CircuitOpen, ProviderUnavailable } from './provider.ts';
import {
  type BreakerOptions,
  CircuitBreaker,
  type CircuitState,
  DEFAULT_BREAKER,
  DEFAULT_RETRY,
  type RetryPolicy,
  withRetries,
} from './resilience.ts';

export interface ResilienceOptions {
  breaker?: BreakerOptions;
  retry?: RetryPolicy;
  /** one attempt that takes longer than this counts as the provider not answering */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const isFailure = (error: unknown) => error instanceof ProviderUnavailable;
const isTransient = (error: unknown) => error instanceof ProviderUnavailable && !(error instanceof CircuitOpen);

function withTimeout<T>(work: Promise<T>, ms: number, provider: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderUnavailable(`${provider}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A provider with retries and a circuit breaker around every network call: each attempt goes
 * through the breaker (so a call that keeps timing out counts once per attempt), and an open
 * circuit fails at once without retrying. Retrying is safe because the provider deduplicates by
 * our keys (see PaymentProvider). One breaker per provider per process.
 */
export class ResilientProvider implements PaymentProvider {
  readonly #inner: PaymentProvider;
  readonly #breaker: CircuitBreaker;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(inner: PaymentProvider, options: ResilienceOptions = {}) {
    this.#inner = inner;
    this.#breaker = new CircuitBreaker(inner.name, options.breaker ?? DEFAULT_BREAKER);
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  get name(): string {
    return this.#inner.name;
  }

  get circuit(): CircuitState {
    return this.#breaker.state;
  }

  authorize(request: AuthorizeRequest): Promise<AuthorizeOutcome> {
    return this.#call(() => this.#inner.authorize(request));
  }

  capture(reference: string, amount: string): Promise<ProviderOutcome> {
    return this.#call(() => this.#inner.capture(reference, amount));
  }

  cancel(reference: string): Promise<void> {
    return this.#call(() => this.#inner.cancel(reference));
  }

  refund(reference: string, request: RefundRequest): Promise<ProviderOutcome> {
    return this.#call(() => this.#inner.refund(reference, request));
  }

  status(reference: string): Promise<ProviderPaymentStatus> {
    return this.#call(() => this.#inner.status(reference));
  }

  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | undefined>, now?: Date): ProviderWebhookEvent {
    return this.#inner.verifyWebhook(rawBody, headers, now);
  }

  #call<T>(call: () => Promise<T>): Promise<T> {
    return withRetries(() => this.#breaker.run(() => withTimeout(call(), this.#timeoutMs, this.name), isFailure), this.#retry, {
      isTransient,
      sleep: this.#sleep,
    });
  }
}

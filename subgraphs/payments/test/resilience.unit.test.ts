import { describe, expect, it } from 'vitest';
import { CircuitOpen, type PaymentProvider, ProviderUnavailable } from '../src/providers/provider.ts';
import { backoffDelay, CircuitBreaker, type RetryPolicy, withRetries } from '../src/providers/resilience.ts';
import { ResilientProvider } from '../src/providers/resilient.ts';

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const down = () => Promise.reject(new ProviderUnavailable('timeout'));
const up = () => Promise.resolve('ok');
const isFailure = (e: unknown) => e instanceof ProviderUnavailable;

async function outcome(breaker: CircuitBreaker, call: () => Promise<string>): Promise<string> {
  try {
    return await breaker.run(call, isFailure);
  } catch (error) {
    return error instanceof CircuitOpen ? 'open' : 'failed';
  }
}

describe('the circuit breaker', () => {
  it('opens after K consecutive failures and then answers at once without calling', async () => {
    const time = clock();
    const breaker = new CircuitBreaker('gw', { failureThreshold: 3, coolDownMs: 10_000, now: time.now });
    expect([await outcome(breaker, down), await outcome(breaker, down)]).toEqual(['failed', 'failed']);
    expect(breaker.state).toBe('closed');
    expect(await outcome(breaker, down)).toBe('failed');
    expect(breaker.state).toBe('open');
    let called = false;
    expect(
      await outcome(breaker, async () => {
        called = true;
        return 'ok';
      }),
    ).toBe('open');
    expect(called).toBe(false);
  });

  it('counts consecutive failures only: a success in between starts over', async () => {
    const breaker = new CircuitBreaker('gw', { failureThreshold: 3, coolDownMs: 10_000 });
    for (const call of [down, down, up, down, down]) await outcome(breaker, call);
    expect(breaker.state).toBe('closed');
  });

  it('does not count answers that are not the provider failing (declines, bugs)', async () => {
    const breaker = new CircuitBreaker('gw', { failureThreshold: 1, coolDownMs: 10_000 });
    expect(await outcome(breaker, () => Promise.reject(new TypeError('bug')))).toBe('failed');
    expect(breaker.state).toBe('closed');
  });

  it('lets one trial through after the cool-down: success closes, failure opens again for another cool-down', async () => {
    const time = clock();
    const breaker = new CircuitBreaker('gw', { failureThreshold: 1, coolDownMs: 10_000, now: time.now });
    await outcome(breaker, down);
    time.advance(9_999);
    expect(await outcome(breaker, up)).toBe('open');
    time.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(await outcome(breaker, down)).toBe('failed');
    expect(breaker.state).toBe('open');
    time.advance(10_000);
    expect(await outcome(breaker, up)).toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one trial out while half-open, and tells when to come back', async () => {
    const time = clock();
    const breaker = new CircuitBreaker('gw', { failureThreshold: 1, coolDownMs: 10_000, now: time.now });
    await outcome(breaker, down);
    time.advance(4_000);
    await expect(breaker.run(up, isFailure)).rejects.toMatchObject({ retryAfterMs: 6_000 });
    time.advance(6_000);
    const gate = Promise.withResolvers<string>();
    const trial = breaker.run(() => gate.promise, isFailure);
    expect(await outcome(breaker, up)).toBe('open');
    gate.resolve('ok');
    expect(await trial).toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('ignores a slow call that started before the circuit opened', async () => {
    const breaker = new CircuitBreaker('gw', { failureThreshold: 1, coolDownMs: 10_000 });
    const gate = Promise.withResolvers<string>();
    const slow = breaker.run(() => gate.promise, isFailure);
    await outcome(breaker, down);
    gate.resolve('ok');
    await slow;
    expect(breaker.state).toBe('open');
  });
});

describe('retries with backoff', () => {
  const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

  it('doubles the pause, caps it, and jitters between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 250, 250]);
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 125]);
  });

  it('retries transient failures up to the limit, pausing in between', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = withRetries(
      async () => {
        calls++;
        throw new ProviderUnavailable('timeout');
      },
      policy,
      { isTransient: isFailure, sleep: async (ms) => void pauses.push(ms), random: () => 1 },
    );
    await expect(result).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(calls).toBe(4);
    expect(pauses).toEqual([100, 200, 250]);
  });

  it('stops at the first success, and never retries what is not transient', async () => {
    const sleep = async () => {};
    const attempts: number[] = [];
    const succeedsSecond = async (attempt: number) => {
      attempts.push(attempt);
      if (attempt < 2) throw new ProviderUnavailable('timeout');
      return 'ok';
    };
    expect(await withRetries(succeedsSecond, policy, { isTransient: isFailure, sleep })).toBe('ok');
    expect(attempts).toEqual([1, 2]);
    attempts.length = 0;
    const bug = async (attempt: number) => {
      attempts.push(attempt);
      throw new TypeError('bug');
    };
    await expect(withRetries(bug, policy, { isTransient: isFailure, sleep })).rejects.toThrow('bug');
    expect(attempts).toEqual([1]);
  });
});

/** A provider whose status call fails as told, counting the calls that reached it. */
function flaky(plan: ('down' | 'up' | 'hang')[]) {
  const provider = {
    name: 'flaky',
    calls: 0,
    async status() {
      provider.calls++;
      const step = plan.shift() ?? 'up';
      if (step === 'down') throw new ProviderUnavailable('timeout');
      if (step === 'hang') return new Promise<never>(() => {});
      return 'captured' as const;
    },
  };
  return provider;
}

describe('a resilient provider', () => {
  const sleep = async () => {};

  it('retries a transient failure and answers once the provider does', async () => {
    const inner = flaky(['down', 'down']);
    const provider = new ResilientProvider(inner as unknown as PaymentProvider, { sleep });
    expect(await provider.status('ref')).toBe('captured');
    expect(inner.calls).toBe(3);
  });

  it('counts each attempt against the breaker, and once open answers at once without calling', async () => {
    const inner = flaky(['down', 'down', 'down', 'down']);
    const provider = new ResilientProvider(inner as unknown as PaymentProvider, {
      sleep,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      breaker: { failureThreshold: 4, coolDownMs: 60_000 },
    });
    await expect(provider.status('ref')).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(provider.circuit).toBe('closed');
    await expect(provider.status('ref')).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(provider.circuit).toBe('open');
    await expect(provider.status('ref')).rejects.toBeInstanceOf(CircuitOpen);
    expect(inner.calls).toBe(4);
  });

  it('treats an attempt that takes too long as the provider not answering', async () => {
    const inner = flaky(['hang']);
    const provider = new ResilientProvider(inner as unknown as PaymentProvider, { sleep, timeoutMs: 20 });
    expect(await provider.status('ref')).toBe('captured');
    expect(inner.calls).toBe(2);
  });
});

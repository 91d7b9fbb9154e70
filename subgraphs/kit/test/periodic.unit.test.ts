import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../src/log.ts';
import { runPeriodically } from '../src/periodic.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runPeriodically', () => {
  it('never overlaps passes, goes on after a failed one, and its stopper waits for the pass in progress', async () => {
    const log = { error: vi.fn() } as unknown as Logger;
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    let finished = 0;
    const stop = runPeriodically(
      async () => {
        passes++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(30);
        running--;
        finished++;
        if (passes === 1) throw new Error('first pass fails');
      },
      { intervalMs: 5, log, what: 'test pass' },
    );
    await sleep(120);
    await stop();
    const afterStop = passes;
    await sleep(40);
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(maxRunning).toBe(1);
    expect(finished).toBe(passes);
    expect(passes).toBe(afterStop);
    expect(log.error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'test pass failed');
  });
});

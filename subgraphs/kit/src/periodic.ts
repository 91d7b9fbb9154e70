import type { Logger } from './log.ts';

/**
 * A background job: `pass` runs `intervalMs` after the previous pass ended, so two never overlap;
 * a failed pass is logged and the next one comes as usual. The stopper cancels what is scheduled
 * and waits for a pass in progress.
 */
export function runPeriodically(pass: () => Promise<unknown>, options: { intervalMs: number; log: Logger; what: string }): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | null = null;
  const schedule = () => {
    timer = setTimeout(() => {
      running = pass()
        .catch((error: unknown) => options.log.error({ err: error }, `${options.what} failed`))
        .finally(() => {
          running = null;
          if (!stopped) schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

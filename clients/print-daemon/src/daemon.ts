/**
 * The daemon: jobs come from the live stream and from catch-ups, wait in one queue (oldest
 * first), and go one at a time through: wait until the printer is ready (reporting a fault
 * that lasts), claim the job at the server (SENT), record `sending` on disk, send, ask the
 * printer again, record the outcome, acknowledge it. docs/print-daemon.md tells why each step
 * is where it is.
 */
import { EventEmitter } from 'node:events';
import { ackPath } from './acks.ts';
import { connectLive, type GatewayOptions, GatewayUnavailable, type GraphQLError, isForbidden, type Live, request } from './api.ts';
import { backoffDelay, sleep } from './backoff.ts';
import { UnprintableJob } from './documents/index.ts';
import { byAge, type PrintJob, type PrintJobStatus } from './job.ts';
import type { Logger } from './log.ts';
import { ACKNOWLEDGE_PRINT_JOB, PENDING_PRINT_JOBS, PRINT_QUEUE } from './operations.ts';
import { describeError, type PrinterPort, SendError } from './printer/index.ts';
import type { Spool } from './spool.ts';
import { decide, needsAck, type Outcome, type Source } from './spool-state.ts';
import { notReadyReason } from './status.ts';

/** A test hook: stop dead at this point of a send, so a test can kill the process there. */
export type Stall = 'after-send' | 'after-outcome';

export interface DaemonOptions {
  printerId: string;
  gateway: GatewayOptions;
  printer: PrinterPort;
  /** the daemon closes it when it stops */
  spool: Spool;
  /** the job's ticket as printer bytes; throws UnprintableJob for a job without a known document */
  render: (job: PrintJob) => Uint8Array;
  log: Logger;
  /** how long a job waits on a printer fault before it is reported (FAILED with the reason; the daemon still prints it later) */
  reportAfterMs?: number;
  /** how often a waiting daemon asks the printer again */
  pollMs?: number;
  /** a catch-up without a reconnect, as a safety net for events the live stream missed */
  catchUpEveryMs?: number;
  /**
   * a second catch-up this long after each (re)connection: the gateway subscribes to the fiscal
   * subgraph a moment after it acknowledged the connection, and a job queued in that moment is
   * in neither the first catch-up nor the live stream
   */
  recheckAfterConnectMs?: number;
  stall?: Stall | null;
}

export interface DaemonEvents {
  /** the outcome is on disk (and about to be acknowledged) */
  settled: [{ id: string; status: Outcome; reason: string | null }];
  waiting: [{ id: string; reason: string }];
  acked: [{ id: string; status: PrintJobStatus; attempts: number }];
  dropped: [{ id: string; reason: string }];
  'caught-up': [{ jobs: number; why: string }];
}

export interface Daemon {
  events: EventEmitter<DaemonEvents>;
  /** settles when the daemon stopped: rejects when it stopped on a fatal error (the token may not use this printer) */
  done: Promise<void>;
  stop(): Promise<void>;
}

export class Forbidden extends Error {}

interface Entry {
  job: PrintJob;
  /** false when it came in a result with errors: missing data is not a reason to fail the job */
  complete: boolean;
}

type AckResult =
  | { kind: 'ok'; status: PrintJobStatus; attempts: number }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'unavailable'; message: string };

interface AckPayload {
  acknowledgePrintJob: { printJob: { id: string; status: PrintJobStatus; attempts: number } | null; userErrors: { code: string; message: string }[] };
}

export function startDaemon(options: DaemonOptions): Daemon {
  const { spool, printer, printerId } = options;
  const log = options.log;
  const reportAfterMs = options.reportAfterMs ?? 10_000;
  const pollMs = options.pollMs ?? 1000;
  const events = new EventEmitter<DaemonEvents>();
  const stopping = new AbortController();
  const queue = new Map<string, Entry>();
  let active: string | null = null;
  let catchingUp = 0;
  let wakeWorker = () => {};
  let wakeAcker = () => {};
  const ackQueue: string[] = [];
  const ackStopping = new AbortController();
  let settleDone: { resolve: () => void; reject: (error: Error) => void } | null = null;
  const done = new Promise<void>((resolve, reject) => {
    settleDone = { resolve, reject };
  });

  const fail = (error: Error) => {
    log.error('stopping: the gateway refused this daemon', { error: error.message });
    settleDone?.reject(error);
    void stop();
  };

  // ------------------------------------------------------------------ what the daemon is told

  function accept(job: PrintJob, source: Source, complete: boolean): void {
    if (stopping.signal.aborted || job.id === active || queue.has(job.id)) return;
    const state = spool.get(job.id);
    const decision = decide(state, { status: job.status, attempts: job.attempts, source });
    switch (decision.action) {
      case 'print':
        if (state?.phase === 'done') {
          log.info('a person put the job back in the queue: printing it again', { jobId: job.id, was: state.outcome?.status });
          spool.record({ kind: 'requeued', id: job.id });
        }
        if (!state?.job) spool.record({ kind: 'job', job });
        queue.set(job.id, { job, complete });
        wakeWorker();
        return;
      case 'ack':
        enqueueAck(job.id);
        return;
      case 'settle-uncertain':
        if (!state?.job) spool.record({ kind: 'job', job });
        settle(job.id, 'UNCERTAIN', 'SENT by an earlier run that left no record of it');
        return;
      case 'ignore':
        log.debug('ignored', { jobId: job.id, source, why: decision.why });
    }
  }

  let catchUpRunning = false;
  /** why another catch-up was asked for while one ran: it runs right after */
  let catchUpAgain: string | null = null;
  let catchUpRetry: NodeJS.Timeout | undefined;
  let catchUpFailures = 0;

  async function catchUp(why: string): Promise<void> {
    if (stopping.signal.aborted) return;
    if (catchUpRunning) {
      catchUpAgain = why;
      return;
    }
    catchUpRunning = true;
    catchingUp++;
    clearTimeout(catchUpRetry);
    try {
      for (let reason: string | null = why; reason && !stopping.signal.aborted; reason = catchUpAgain) {
        catchUpAgain = null;
        const result = await request<{ pendingPrintJobs: PrintJob[] }>(options.gateway, PENDING_PRINT_JOBS, { printerId });
        if (isForbidden(result.errors)) return fail(new Forbidden(messages(result.errors)));
        const jobs = result.data?.pendingPrintJobs;
        if (!jobs) throw new GatewayUnavailable(messages(result.errors) || 'no pendingPrintJobs in the answer');
        for (const job of jobs) accept(job, 'catch-up', !result.errors?.length);
        if (result.errors?.length) log.warn('caught up with errors in the answer', { errors: messages(result.errors) });
        log.info('caught up', { why: reason, pending: jobs.length, queued: queue.size });
        events.emit('caught-up', { jobs: jobs.length, why: reason });
      }
      catchUpFailures = 0;
    } catch (error) {
      const inMs = backoffDelay(catchUpFailures++, 1000, 30_000);
      log.warn('catch-up failed; trying again', { error: describeError(error), inMs });
      catchUpRetry = setTimeout(() => void catchUp('retry'), inMs);
    } finally {
      catchUpRunning = false;
      catchingUp--;
      wakeWorker();
    }
  }

  let live: Live | null = null;
  let subscriptionRetry: NodeJS.Timeout | undefined;
  let disposeSubscription = () => {};

  function subscribe(attempt = 0): void {
    if (stopping.signal.aborted || !live) return;
    disposeSubscription = live.subscribe<{ printJobQueued: PrintJob }>(
      PRINT_QUEUE,
      { printerId },
      {
        next: (result) => {
          if (isForbidden(result.errors)) return fail(new Forbidden(messages(result.errors)));
          const job = result.data?.printJobQueued;
          if (job) accept(job, 'live', !result.errors?.length);
          if (result.errors?.length) log.warn('a live result with errors', { errors: messages(result.errors), jobId: job?.id });
          // missed events (a gap after a gateway lost a subgraph, a slow reader's drops): read the queue again
          if (result.extensions?.live || (result.errors?.length && !job)) void catchUp('live stream gap');
        },
        ended: (errors) => {
          if (stopping.signal.aborted) return;
          if (isForbidden(errors ?? undefined)) return fail(new Forbidden(messages(errors ?? undefined)));
          const inMs = backoffDelay(attempt, 1000, 30_000);
          log.warn('the print queue subscription ended; subscribing again', { errors: messages(errors ?? undefined), inMs });
          subscriptionRetry = setTimeout(() => {
            subscribe(attempt + 1);
            void catchUp('subscribed again');
          }, inMs);
        },
      },
    );
  }

  // ------------------------------------------------------------------ acknowledgements

  async function ack(id: string, status: PrintJobStatus, error?: string): Promise<AckResult> {
    let result: Awaited<ReturnType<typeof request<AckPayload>>>;
    try {
      result = await request<AckPayload>(options.gateway, ACKNOWLEDGE_PRINT_JOB, { input: { jobId: id, status, error: error ?? null } });
    } catch (e) {
      return { kind: 'unavailable', message: describeError(e) };
    }
    if (isForbidden(result.errors)) {
      fail(new Forbidden(messages(result.errors)));
      return { kind: 'unavailable', message: messages(result.errors) };
    }
    const payload = result.data?.acknowledgePrintJob;
    if (!payload) return { kind: 'unavailable', message: messages(result.errors) || 'no answer' };
    const refusal = payload.userErrors[0];
    if (refusal) return { kind: 'refused', code: refusal.code, message: refusal.message };
    if (!payload.printJob) return { kind: 'unavailable', message: 'no print job in the answer' };
    spool.record({ kind: 'acked', id, status: payload.printJob.status, attempts: payload.printJob.attempts });
    events.emit('acked', { id, status: payload.printJob.status, attempts: payload.printJob.attempts });
    log.info('acknowledged', { jobId: id, status: payload.printJob.status, attempts: payload.printJob.attempts });
    return { kind: 'ok', status: payload.printJob.status, attempts: payload.printJob.attempts };
  }

  function drop(id: string, reason: string): void {
    spool.record({ kind: 'dropped', id, reason });
    log.warn('dropped: the server does not want it printed', { jobId: id, reason });
    events.emit('dropped', { id, reason });
  }

  function enqueueAck(id: string): void {
    if (!ackQueue.includes(id)) ackQueue.push(id);
    wakeAcker();
  }

  /** Acknowledges outcomes one at a time, in order, retrying while the gateway is away. */
  async function acker(): Promise<void> {
    let failures = 0;
    while (!ackStopping.signal.aborted) {
      const id = ackQueue[0];
      if (!id) {
        await new Promise<void>((resolve) => {
          wakeAcker = resolve;
        });
        continue;
      }
      const state = spool.get(id);
      if (!state?.outcome || !needsAck(state)) {
        ackQueue.shift();
        continue;
      }
      const path = ackPath(state.server?.status ?? 'QUEUED', state.outcome.status);
      if (!path) {
        drop(id, `the server has it ${state.server?.status}; cannot acknowledge ${state.outcome.status}`);
        ackQueue.shift();
        continue;
      }
      let retry = false;
      for (const status of path) {
        const result = await ack(id, status, status === state.outcome.status ? (state.outcome.reason ?? undefined) : undefined);
        if (result.kind === 'refused') {
          drop(id, `${result.code}: ${result.message}`);
          break;
        }
        if (result.kind === 'unavailable') {
          retry = true;
          const inMs = backoffDelay(failures++, 1000, 30_000);
          log.warn('acknowledging failed; trying again', { jobId: id, status, error: result.message, inMs });
          await sleep(inMs, ackStopping.signal);
          break;
        }
      }
      if (!retry) {
        failures = 0;
        ackQueue.shift();
      }
    }
  }

  // ------------------------------------------------------------------ printing

  /** The outcome on disk; `acknowledge` false leaves the acknowledgement to the caller (the test hook stands between). */
  function settle(id: string, status: Outcome, reason: string | null, acknowledge = true): void {
    spool.record({ kind: 'outcome', id, status, reason });
    log[status === 'PRINTED' ? 'info' : 'warn'](status === 'PRINTED' ? 'printed' : `not printed: ${status}`, { jobId: id, reason });
    events.emit('settled', { id, status, reason });
    if (acknowledge) enqueueAck(id);
  }

  type Readiness = 'ready' | 'stopped' | 'dropped';

  /** Asks the printer until it can take a ticket; a fault that lasts `reportAfterMs` is reported once. */
  async function waitUntilReady(id: string): Promise<Readiness> {
    const since = Date.now();
    let reported = false;
    let last: string | null = null;
    for (;;) {
      if (stopping.signal.aborted) return 'stopped';
      let reason: string | null;
      try {
        const status = await printer.status();
        reason = status ? notReadyReason(status) : null;
        if (status?.paperNearEnd && !reason) log.warn('paper near its end', { jobId: id });
      } catch (error) {
        reason = `printer unreachable: ${describeError(error)}`;
      }
      if (!reason) {
        if (last) log.info('printer ready again', { jobId: id, waitedMs: Date.now() - since });
        return 'ready';
      }
      if (reason !== last) {
        log.warn('printer not ready; the job waits', { jobId: id, reason });
        events.emit('waiting', { id, reason });
        last = reason;
      }
      if (!reported && Date.now() - since >= reportAfterMs) {
        reported = true;
        const current = spool.get(id)?.server?.status ?? 'QUEUED';
        if (current !== 'FAILED') {
          const result = await ack(id, 'FAILED', `waiting: ${reason}; the daemon prints it once the printer is ready`);
          if (result.kind === 'refused') {
            drop(id, `${result.code}: ${result.message}`);
            return 'dropped';
          }
        }
      }
      await sleep(pollMs, stopping.signal);
    }
  }

  /**
   * Tells the server the ticket is about to print (SENT), after putting a reported job back in
   * the queue: a refusal (cancelled, printed by someone else) keeps it off paper. When the
   * gateway is away the ticket prints anyway (a customer is waiting) and the acknowledgements
   * follow later.
   */
  async function claim(id: string): Promise<boolean> {
    const server = spool.get(id)?.server?.status ?? 'QUEUED';
    for (const status of ackPath(server, 'SENT') ?? []) {
      const result = await ack(id, status);
      if (result.kind === 'refused') {
        drop(id, `${result.code}: ${result.message}`);
        return false;
      }
      if (result.kind === 'unavailable') {
        log.warn('the gateway did not take SENT; printing anyway', { jobId: id, error: result.message });
        return true;
      }
    }
    return true;
  }

  /** After the last byte: a status answer means the printer read past the ticket; a fault now may have cut it short. */
  async function confirm(): Promise<{ status: Outcome; reason: string | null }> {
    try {
      const status = await printer.status();
      if (!status) return { status: 'PRINTED', reason: null };
      const fault = notReadyReason(status);
      return fault
        ? { status: 'UNCERTAIN', reason: `${fault} right after sending: the ticket may be incomplete` }
        : { status: 'PRINTED', reason: null };
    } catch (error) {
      return { status: 'UNCERTAIN', reason: `no status after sending: ${describeError(error)}` };
    }
  }

  async function stallHere(point: Stall): Promise<void> {
    if (options.stall !== point) return;
    log.warn('stalled by COMANDA_PRINT_TEST_STALL', { point });
    await new Promise(() => {});
  }

  async function print(entry: Entry): Promise<void> {
    const { job } = entry;
    let bytes: Uint8Array;
    try {
      bytes = options.render(job);
    } catch (error) {
      if (!(error instanceof UnprintableJob)) throw error;
      if (!entry.complete) {
        // the document is missing because a fetch failed, not because there is none: read it again
        log.warn('job without its document (the answer had errors); reading the queue again', { jobId: job.id });
        catchUpRetry = setTimeout(() => void catchUp('incomplete job'), 5_000);
        return;
      }
      settle(job.id, 'FAILED', error.message);
      return;
    }
    for (;;) {
      const readiness = await waitUntilReady(job.id);
      if (readiness !== 'ready') return;
      if (!(await claim(job.id))) return;
      // stopping: leave it unsent (SENT on the server is harmless; the next start prints it)
      if (stopping.signal.aborted) return;
      spool.record({ kind: 'sending', id: job.id });
      try {
        await printer.send(bytes);
      } catch (error) {
        if (error instanceof SendError && !error.started) {
          spool.record({ kind: 'unsent', id: job.id, reason: error.message });
          log.warn('nothing was sent; waiting for the printer again', { jobId: job.id, error: error.message });
          continue;
        }
        settle(job.id, 'UNCERTAIN', `the send broke midway: ${describeError(error)}`);
        return;
      }
      await stallHere('after-send');
      const outcome = await confirm();
      settle(job.id, outcome.status, outcome.reason, false);
      await stallHere('after-outcome');
      enqueueAck(job.id);
      return;
    }
  }

  function next(): Entry | null {
    if (catchingUp > 0) return null;
    let oldest: Entry | null = null;
    for (const entry of queue.values()) if (!oldest || byAge(entry.job, oldest.job) < 0) oldest = entry;
    return oldest;
  }

  async function worker(): Promise<void> {
    while (!stopping.signal.aborted) {
      const entry = next();
      if (!entry) {
        await new Promise<void>((resolve) => {
          wakeWorker = resolve;
        });
        continue;
      }
      queue.delete(entry.job.id);
      active = entry.job.id;
      try {
        await print(entry);
      } catch (error) {
        log.error('unexpected error printing a job', { jobId: entry.job.id, error });
      } finally {
        active = null;
      }
    }
  }

  // ------------------------------------------------------------------ start and stop

  // what the spool says is unfinished: outcomes to acknowledge, jobs never sent
  for (const state of spool.states()) {
    if (needsAck(state)) {
      log.warn('an outcome from before the restart, to acknowledge', {
        jobId: state.id,
        status: state.outcome?.status,
        reason: state.outcome?.reason,
      });
      enqueueAck(state.id);
    } else if (state.phase === 'new' && state.job) queue.set(state.id, { job: state.job, complete: true });
  }
  const workerDone = worker();
  const ackerDone = acker();
  let recheck: NodeJS.Timeout | undefined;
  live = connectLive(options.gateway, (wasRetry) => {
    void catchUp(wasRetry ? 'reconnected' : 'connected');
    clearTimeout(recheck);
    recheck = setTimeout(() => void catchUp('settled after connecting'), options.recheckAfterConnectMs ?? 2_000);
  });
  subscribe();
  const periodic = setInterval(() => void catchUp('periodic'), options.catchUpEveryMs ?? 60_000);
  log.info('started', { printerId, printer: printer.address, spool: spool.dir, resumed: queue.size, toAcknowledge: ackQueue.length });

  let stopped: Promise<void> | null = null;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      stopping.abort();
      clearInterval(periodic);
      clearTimeout(catchUpRetry);
      clearTimeout(subscriptionRetry);
      clearTimeout(recheck);
      disposeSubscription();
      await live?.close();
      wakeWorker();
      await workerDone;
      // what was just printed deserves its acknowledgement before the process goes (the spool keeps it otherwise)
      const deadline = Date.now() + 5_000;
      while (ackQueue.length && Date.now() < deadline) await sleep(50);
      ackStopping.abort();
      wakeAcker();
      await ackerDone;
      await printer.close();
      spool.close();
      log.info('stopped', { unacknowledged: ackQueue.length });
      settleDone?.resolve();
    })();
    return stopped;
  }

  return { events, done, stop };
}

function messages(errors: readonly GraphQLError[] | undefined): string {
  return (errors ?? []).map((e) => e.message).join('; ');
}

/**
 * The spool's rules, pure: what each journal record means for a job, and what the daemon does
 * with a job it is told about (by the live stream or by a catch-up) given what it recorded.
 *
 * A job's life on this machine:
 *
 *   new ──sending (on disk before the first byte)──> sending ──outcome──> done ──acked──> settled
 *    ^                                                  │
 *    └────────── unsent (nothing left this machine) ────┘
 *
 * A `sending` with no outcome after it means the daemon stopped mid-send: that job is UNCERTAIN
 * and is never sent again by itself. That is the exactly-once guard across restarts.
 */
import type { PrintJob, PrintJobStatus } from './job.ts';

export type Outcome = 'PRINTED' | 'FAILED' | 'UNCERTAIN';
export type Phase = 'new' | 'sending' | 'done' | 'dropped';

export type SpoolRecord =
  /** first seen: the job as received (for `--preview`, and to print it after a restart) */
  | { kind: 'job'; at: string; job: PrintJob }
  /** fsync'd before the first byte goes to the printer */
  | { kind: 'sending'; at: string; id: string }
  /** the send failed before any byte left: the job is new again */
  | { kind: 'unsent'; at: string; id: string; reason: string }
  | { kind: 'outcome'; at: string; id: string; status: Outcome; reason: string | null }
  /** the server took this status from us (any acknowledgement: SENT, a fault report, a retry, the outcome) */
  | { kind: 'acked'; at: string; id: string; status: PrintJobStatus; attempts: number }
  /** the server does not want the job printed (cancelled, printed elsewhere, unknown) */
  | { kind: 'dropped'; at: string; id: string; reason: string }
  /** a person put a settled job back in the queue (FAILED or UNCERTAIN -> QUEUED): a new cycle */
  | { kind: 'requeued'; at: string; id: string }
  /** a compacted journal's summary of one job */
  | { kind: 'state'; at: string; state: JobState };

export interface JobState {
  id: string;
  job: PrintJob | null;
  phase: Phase;
  outcome: { status: Outcome; reason: string | null } | null;
  /** what the server last took from us */
  server: { status: PrintJobStatus; attempts: number } | null;
  updatedAt: string;
}

const blank = (id: string, at: string): JobState => ({ id, job: null, phase: 'new', outcome: null, server: null, updatedAt: at });

/** Applies one record; returns the job's new state. */
export function apply(states: Map<string, JobState>, record: SpoolRecord): JobState {
  if (record.kind === 'state') {
    states.set(record.state.id, record.state);
    return record.state;
  }
  const id = record.kind === 'job' ? record.job.id : record.id;
  const state: JobState = { ...(states.get(id) ?? blank(id, record.at)), updatedAt: record.at };
  switch (record.kind) {
    case 'job':
      state.job = record.job;
      break;
    case 'sending':
      state.phase = 'sending';
      break;
    case 'unsent':
      state.phase = 'new';
      break;
    case 'outcome':
      state.phase = 'done';
      state.outcome = { status: record.status, reason: record.reason };
      break;
    case 'acked':
      state.server = { status: record.status, attempts: record.attempts };
      break;
    case 'dropped':
      state.phase = 'dropped';
      break;
    case 'requeued':
      state.phase = 'new';
      state.outcome = null;
      break;
  }
  states.set(id, state);
  return state;
}

export function replay(records: readonly SpoolRecord[]): Map<string, JobState> {
  const states = new Map<string, JobState>();
  for (const record of records) apply(states, record);
  return states;
}

/** Jobs the daemon stopped sending midway (a crash, a kill, a power cut): they become UNCERTAIN. */
export const interrupted = (states: Iterable<JobState>): JobState[] => [...states].filter((s) => s.phase === 'sending');

/** An outcome the server has not taken yet. */
export const needsAck = (state: JobState): boolean =>
  state.phase === 'done' && state.outcome !== null && state.server?.status !== state.outcome.status;

export type Source = 'live' | 'catch-up';

/** What the daemon was told: the job's status and attempts as the gateway sent them. */
export interface Sighting {
  status: PrintJobStatus;
  attempts: number;
  source: Source;
}

export type Decision =
  | { action: 'print' }
  /** the outcome is recorded but not acknowledged */
  | { action: 'ack' }
  /** SENT on the server and unknown here: some earlier run sent it without a record */
  | { action: 'settle-uncertain' }
  | { action: 'ignore'; why: string };

/**
 * The live stream always says QUEUED (it is the job as queued), so only a catch-up, which reads
 * the job's current status, can show that a person put a settled job back in the queue; its
 * attempts are then at least those of our last acknowledgement (a stale read has fewer).
 */
export function decide(state: JobState | undefined, seen: Sighting): Decision {
  if (!state) {
    if (seen.source === 'live' || seen.status === 'QUEUED') return { action: 'print' };
    if (seen.status === 'SENT') return { action: 'settle-uncertain' };
    return { action: 'ignore', why: `${seen.status} and not in this spool: a person settles it` };
  }
  switch (state.phase) {
    case 'dropped':
      return { action: 'ignore', why: 'dropped: the server did not want it printed' };
    case 'new':
      return { action: 'print' };
    case 'sending':
      return { action: 'ignore', why: 'being sent now' };
    case 'done': {
      if (needsAck(state)) return { action: 'ack' };
      const requeued =
        seen.source === 'catch-up' &&
        seen.status === 'QUEUED' &&
        state.outcome?.status !== 'PRINTED' &&
        state.server !== null &&
        seen.attempts >= state.server.attempts;
      return requeued ? { action: 'print' } : { action: 'ignore', why: `already ${state.outcome?.status} (a duplicate delivery)` };
    }
  }
}

/** Whether a compaction may forget this job: settled (or dropped) longer ago than the retention. */
export function forgettable(state: JobState, now: number, retentionMs: number): boolean {
  const settled = state.phase === 'dropped' || (state.phase === 'done' && !needsAck(state));
  return settled && now - Date.parse(state.updatedAt) > retentionMs;
}

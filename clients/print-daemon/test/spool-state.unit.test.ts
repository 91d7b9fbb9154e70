import { describe, expect, it } from 'vitest';
import { ackPath } from '../src/acks.ts';
import type { PrintJobStatus } from '../src/job.ts';
import { decide, forgettable, interrupted, needsAck, replay, type SpoolRecord } from '../src/spool-state.ts';
import { sampleJob } from './support/fixtures.ts';

const job = sampleJob();
const id = job.id;
const at = '2025-03-14T09:15:03.000Z';
const live = { status: 'QUEUED' as const, attempts: 0, source: 'live' as const };
const catchUp = (status: PrintJobStatus, attempts: number) => ({ status, attempts, source: 'catch-up' as const });

const stateAfter = (...records: SpoolRecord[]) => replay(records).get(id)!;

describe('the spool journal', () => {
  it('follows a job from first sight to its acknowledged outcome', () => {
    const state = stateAfter(
      { kind: 'job', at, job },
      { kind: 'acked', at, id, status: 'SENT', attempts: 1 },
      { kind: 'sending', at, id },
      { kind: 'outcome', at, id, status: 'PRINTED', reason: null },
    );
    expect(state).toMatchObject({ phase: 'done', outcome: { status: 'PRINTED' }, server: { status: 'SENT', attempts: 1 } });
    expect(needsAck(state)).toBe(true);
    const acked = stateAfter({ kind: 'state', at, state }, { kind: 'acked', at, id, status: 'PRINTED', attempts: 1 });
    expect(needsAck(acked)).toBe(false);
  });

  it('finds sends that never got their outcome (the daemon died mid-send)', () => {
    const states = replay([
      { kind: 'job', at, job },
      { kind: 'sending', at, id },
      { kind: 'job', at, job: sampleJob({ id: 'other' }) },
      { kind: 'sending', at, id: 'other' },
      { kind: 'outcome', at, id: 'other', status: 'PRINTED', reason: null },
    ]);
    expect(interrupted(states.values()).map((s) => s.id)).toEqual([id]);
  });

  it('makes a job new again when nothing left the machine', () => {
    expect(stateAfter({ kind: 'job', at, job }, { kind: 'sending', at, id }, { kind: 'unsent', at, id, reason: 'refused' }).phase).toBe('new');
  });

  it('forgets only settled jobs older than the retention', () => {
    const settled = stateAfter(
      { kind: 'job', at, job },
      { kind: 'outcome', at, id, status: 'PRINTED', reason: null },
      { kind: 'acked', at, id, status: 'PRINTED', attempts: 1 },
    );
    const day = 24 * 3600 * 1000;
    expect(forgettable(settled, Date.parse(at) + 31 * day, 30 * day)).toBe(true);
    expect(forgettable(settled, Date.parse(at) + 29 * day, 30 * day)).toBe(false);
    const unacked = stateAfter({ kind: 'job', at, job }, { kind: 'outcome', at, id, status: 'PRINTED', reason: null });
    expect(forgettable(unacked, Date.parse(at) + 365 * day, 30 * day)).toBe(false);
    expect(forgettable(stateAfter({ kind: 'job', at, job }), Date.parse(at) + 365 * day, 30 * day)).toBe(false);
  });
});

describe('what the daemon does with a job it is told about', () => {
  it('prints a job it never saw, from the live stream or queued in a catch-up', () => {
    expect(decide(undefined, live).action).toBe('print');
    expect(decide(undefined, catchUp('QUEUED', 0)).action).toBe('print');
  });

  it('leaves a FAILED or UNCERTAIN job it has no record of to a person, and settles a SENT one as UNCERTAIN', () => {
    expect(decide(undefined, catchUp('FAILED', 1)).action).toBe('ignore');
    expect(decide(undefined, catchUp('UNCERTAIN', 1)).action).toBe('ignore');
    expect(decide(undefined, catchUp('SENT', 1)).action).toBe('settle-uncertain');
  });

  it('ignores duplicate deliveries of a printed job, live or in a catch-up', () => {
    const printed = stateAfter(
      { kind: 'job', at, job },
      { kind: 'outcome', at, id, status: 'PRINTED', reason: null },
      { kind: 'acked', at, id, status: 'PRINTED', attempts: 1 },
    );
    expect(decide(printed, live).action).toBe('ignore');
    // a stale read still saying QUEUED does not bring a printed job back
    expect(decide(printed, catchUp('QUEUED', 0)).action).toBe('ignore');
  });

  it('never sends an UNCERTAIN job again by itself, but does when a person put it back in the queue', () => {
    const uncertain = stateAfter(
      { kind: 'job', at, job },
      { kind: 'sending', at, id },
      { kind: 'outcome', at, id, status: 'UNCERTAIN', reason: 'killed' },
      { kind: 'acked', at, id, status: 'SENT', attempts: 1 },
      { kind: 'acked', at, id, status: 'UNCERTAIN', attempts: 1 },
    );
    expect(decide(uncertain, live).action).toBe('ignore');
    expect(decide(uncertain, catchUp('UNCERTAIN', 1)).action).toBe('ignore');
    // a read from before the acknowledgement (fewer attempts) is not a retry
    expect(decide(uncertain, catchUp('QUEUED', 0)).action).toBe('ignore');
    // FAILED | UNCERTAIN -> QUEUED by a person keeps the attempts: a new cycle
    expect(decide(uncertain, catchUp('QUEUED', 1)).action).toBe('print');
  });

  it('acknowledges an outcome the server has not taken, and resumes a job never sent', () => {
    const unacked = stateAfter({ kind: 'job', at, job }, { kind: 'sending', at, id }, { kind: 'outcome', at, id, status: 'PRINTED', reason: null });
    expect(decide(unacked, catchUp('SENT', 1)).action).toBe('ack');
    expect(decide(stateAfter({ kind: 'job', at, job }), catchUp('QUEUED', 0)).action).toBe('print');
    // reported FAILED while waiting for paper: still ours to print
    expect(decide(stateAfter({ kind: 'job', at, job }, { kind: 'acked', at, id, status: 'FAILED', attempts: 1 }), catchUp('FAILED', 1)).action).toBe(
      'print',
    );
  });

  it('ignores a job the server did not want printed', () => {
    expect(decide(stateAfter({ kind: 'job', at, job }, { kind: 'dropped', at, id, reason: 'CANCELLED' }), catchUp('QUEUED', 1)).action).toBe(
      'ignore',
    );
  });
});

describe('acknowledgement paths over the server transitions', () => {
  it('walks to the wanted status through the allowed ones', () => {
    expect(ackPath('QUEUED', 'PRINTED')).toEqual(['PRINTED']);
    expect(ackPath('SENT', 'PRINTED')).toEqual(['PRINTED']);
    expect(ackPath('QUEUED', 'UNCERTAIN')).toEqual(['SENT', 'UNCERTAIN']);
    expect(ackPath('FAILED', 'SENT')).toEqual(['QUEUED', 'SENT']);
    expect(ackPath('FAILED', 'PRINTED')).toEqual(['QUEUED', 'PRINTED']);
    expect(ackPath('SENT', 'SENT')).toEqual([]);
  });

  it('has no way out of a final status', () => {
    expect(ackPath('PRINTED', 'UNCERTAIN')).toBeNull();
    expect(ackPath('CANCELLED', 'PRINTED')).toBeNull();
  });
});

/** The spool on a real disk: what survives a restart, what a kill mid-send leaves, compaction and the lock. */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, Spool } from '../src/spool.ts';
import { sampleJob } from './support/fixtures.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'comanda-spool-test-'));
const job = sampleJob();
const id = job.id;

describe('the spool journal on disk', () => {
  it('keeps every record across a restart', () => {
    const dir = fresh();
    const spool = Spool.open(dir);
    spool.record({ kind: 'job', job });
    spool.record({ kind: 'sending', id });
    spool.record({ kind: 'outcome', id, status: 'PRINTED', reason: null });
    spool.close();
    const again = Spool.open(dir);
    expect(again.get(id)).toMatchObject({ phase: 'done', outcome: { status: 'PRINTED' }, job: { id } });
    again.close();
  });

  it('turns a send that never got its outcome into UNCERTAIN when it opens, and writes that down', () => {
    const dir = fresh();
    const spool = Spool.open(dir);
    spool.record({ kind: 'job', job });
    spool.record({ kind: 'sending', id });
    // no close: the process died here (the lock is left behind by a process that no longer runs)
    writeFileSync(join(dir, 'daemon.pid'), `${deadPid()}\n`);
    const after = Spool.open(dir);
    expect(after.get(id)).toMatchObject({ phase: 'done', outcome: { status: 'UNCERTAIN', reason: 'the daemon stopped while sending this ticket' } });
    after.close();
    // compacted on disk, so a third start does not decide again
    const records = readJournal(join(dir, 'journal.jsonl'));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'state', state: { id, phase: 'done', outcome: { status: 'UNCERTAIN' } } });
  });

  it('skips a torn last line (a power cut mid-write) and reads the rest', () => {
    const dir = fresh();
    const spool = Spool.open(dir);
    spool.record({ kind: 'job', job });
    spool.close();
    appendFileSync(join(dir, 'journal.jsonl'), '{"kind":"sending","at":"2025-03-14T09:15');
    const skipped: string[] = [];
    const after = Spool.open(dir, { onSkipped: (line) => skipped.push(line) });
    expect(skipped).toHaveLength(1);
    expect(after.get(id)?.phase).toBe('new');
    after.close();
  });

  it('forgets settled jobs after the retention, and never an unacknowledged one', () => {
    const dir = fresh();
    const spool = Spool.open(dir, { now: () => new Date('2025-01-01T00:00:00Z') });
    spool.record({ kind: 'job', job });
    spool.record({ kind: 'outcome', id, status: 'PRINTED', reason: null });
    spool.record({ kind: 'acked', id, status: 'PRINTED', attempts: 1 });
    const other = sampleJob({ id: 'unacked' });
    spool.record({ kind: 'job', job: other });
    spool.record({ kind: 'outcome', id: other.id, status: 'PRINTED', reason: null });
    spool.close();
    const later = Spool.open(dir, { now: () => new Date('2025-03-01T00:00:00Z'), retentionMs: 30 * 24 * 3600 * 1000 });
    expect(later.get(id)).toBeUndefined();
    expect(later.get('unacked')?.phase).toBe('done');
    later.close();
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('is used by one daemon at a time', () => {
    const dir = fresh();
    const spool = Spool.open(dir);
    expect(() => Spool.open(dir)).toThrow(/is in use by process/);
    spool.close();
    Spool.open(dir).close();
    // another live process holds it
    writeFileSync(join(dir, 'daemon.pid'), `${process.ppid}\n`);
    expect(() => Spool.open(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

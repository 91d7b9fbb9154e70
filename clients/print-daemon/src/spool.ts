/**
 * The spool on disk: one JSON-lines journal (`journal.jsonl`) in the spool directory, appended
 * and never edited. Records that decide whether a ticket may be printed (`sending` before the
 * first byte, the outcome after the last) are fsync'd before the daemon goes on; the others are
 * written through to the OS at once, which survives the daemon being killed, and only matter
 * to avoid an extra acknowledgement after a power cut. On open, a send that never got its
 * outcome becomes UNCERTAIN (spool-state.ts), and the journal is compacted to one record per
 * job it still needs.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { apply, forgettable, interrupted, type JobState, replay, type SpoolRecord } from './spool-state.ts';

const DURABLE: ReadonlySet<SpoolRecord['kind']> = new Set(['sending', 'outcome']);
const DAY = 24 * 3600 * 1000;

export interface SpoolOptions {
  /** how long settled jobs are remembered (duplicates of older ones are not expected) */
  retentionMs?: number;
  now?: () => Date;
  /** lines that could not be read (a write torn by a power cut) */
  onSkipped?: (line: string) => void;
}

export class Spool {
  readonly dir: string;
  readonly path: string;
  #states: Map<string, JobState>;
  #fd: number;
  #now: () => Date;

  private constructor(dir: string, states: Map<string, JobState>, fd: number, now: () => Date) {
    this.dir = dir;
    this.path = join(dir, 'journal.jsonl');
    this.#states = states;
    this.#fd = fd;
    this.#now = now;
  }

  /** Reads the journal (creating the directory), settles interrupted sends, compacts, and opens it for appending. */
  static open(dir: string, options: SpoolOptions = {}): Spool {
    const now = options.now ?? (() => new Date());
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    lock(dir);
    const path = join(dir, 'journal.jsonl');
    const records = readJournal(path, options.onSkipped);
    const states = replay(records);
    const at = now().toISOString();
    for (const state of interrupted(states.values())) {
      apply(states, { kind: 'outcome', at, id: state.id, status: 'UNCERTAIN', reason: 'the daemon stopped while sending this ticket' });
    }
    const retention = options.retentionMs ?? 30 * DAY;
    const kept = [...states.values()].filter((s) => !forgettable(s, now().getTime(), retention));
    // compact: write the summary beside the journal, flush it, then swap it in atomically
    const tmp = `${path}.tmp`;
    const out = openSync(tmp, 'w', 0o600);
    writeSync(out, kept.map((state) => `${JSON.stringify({ kind: 'state', at: state.updatedAt, state } satisfies SpoolRecord)}\n`).join(''));
    fsyncSync(out);
    closeSync(out);
    renameSync(tmp, path);
    syncDir(dir);
    return new Spool(dir, new Map(kept.map((s) => [s.id, s])), openSync(path, 'a', 0o600), now);
  }

  get(id: string): JobState | undefined {
    return this.#states.get(id);
  }

  states(): JobState[] {
    return [...this.#states.values()];
  }

  /** Appends a record (fsync'd when it guards a print) and returns the job's new state. */
  record(record: DistributiveOmit<SpoolRecord, 'at'>): JobState {
    const full = { ...record, at: this.#now().toISOString() } as SpoolRecord;
    writeSync(this.#fd, `${JSON.stringify(full)}\n`);
    if (DURABLE.has(full.kind)) fsyncSync(this.#fd);
    return apply(this.#states, full);
  }

  close(): void {
    closeSync(this.#fd);
    rmSync(join(this.dir, LOCK), { force: true });
  }
}

const LOCK = 'daemon.pid';

/** One daemon per spool: two would both think they own its jobs. A lock left by a dead process is taken over. */
function lock(dir: string): void {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (holder && alive(holder)) throw new Error(`the spool ${dir} is in use by process ${holder}`);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock the spool ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Every readable record of a journal; a missing journal is an empty one. */
export function readJournal(path: string, onSkipped?: (line: string) => void): SpoolRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: SpoolRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as SpoolRecord);
    } catch {
      // only the last line can be torn, and a torn `sending` never let a byte out (we send after its fsync)
      onSkipped?.(line);
    }
  }
  return records;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

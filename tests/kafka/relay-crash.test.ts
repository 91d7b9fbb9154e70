/**
 * The relay killed with SIGKILL at its worst moment: a batch is on Kafka but not yet marked
 * published in the outbox. Restarted, it sends that batch again; every event still reaches
 * Kafka, per-key order holds for first occurrences, and a consumer on kit's runtime applies
 * each event exactly once. The relay is the standalone process (kafka/src/relay-main.ts) on a
 * scratch subgraph's outbox, so the stack's own relay never touches it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTopics, decodeEvent, type InboundMessage, KafkaTransport, type Stopper } from '@comanda/kafka';
import { createLogger, startConsumers } from '@comanda/kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ScratchSubgraph, scratchSubgraph } from '../../kafka/test/scratch-subgraph.ts';
import { brokers, groupLag, messagesOn, silent, withAdmin } from './admin.ts';

const RELAY_MAIN = fileURLToPath(new URL('../../kafka/src/relay-main.ts', import.meta.url));
const KEYS = 100;
const PER_KEY = 100;
const TOTAL = KEYS * PER_KEY;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface RelayProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnRelay(adminUrl: string, source: string): RelayProcess {
  const child = spawn(process.execPath, [RELAY_MAIN], {
    env: { ...process.env, DATABASE_URL: adminUrl, KAFKA_BROKERS: brokers.join(','), RELAY_SOURCES: source, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

describe('relay crash', () => {
  const adminUrl = () => inject('databaseUrl');
  let scratch: ScratchSubgraph;
  let transport: KafkaTransport;
  let stopConsumers: (() => Promise<void>) | null = null;
  const stoppers: Stopper[] = [];
  const relays: RelayProcess[] = [];

  beforeAll(async () => {
    scratch = await scratchSubgraph(adminUrl(), 'relaycrash');
    await createTopics(brokers, [{ name: scratch.topic, partitions: 6, retentionMs: 60 * 60 * 1000 }], { logger: silent });
    transport = new KafkaTransport({ brokers, logger: silent });
  }, 120_000);

  afterAll(async () => {
    for (const relay of relays) if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGKILL');
    await stopConsumers?.();
    await Promise.all(stoppers.map((stop) => stop()));
    await transport?.close();
    await scratch?.close();
    if (scratch) await withAdmin((admin) => admin.deleteTopics({ topics: [scratch.topic] }));
  }, 60_000);

  it('a relay killed between publishing a batch and marking it loses nothing, and the consumer applies every event once', async () => {
    const type = scratch.eventType('changed');
    const consumerName = `${scratch.name}.counter`;
    stopConsumers = await startConsumers({
      subgraph: scratch.name,
      handlers: [{ name: 'counter', types: [type], handle: (em, event) => scratch.recordEffect(em, consumerName, event) }],
      orm: scratch.orm,
      transport,
      log: createLogger('relay-crash-test'),
    });

    // position order = sequence order within each key, keys interleaved
    await scratch.query(
      `insert into outbox (id, tenant_id, aggregate_type, aggregate_id, sequence, type, data)
       select gen_random_uuid(), 'tenant-scratch', $1, 'key-' || k, s, $2, jsonb_build_object('n', s)
         from generate_series(1, $3::int) s, generate_series(1, $4::int) k order by s, k`,
      [scratch.aggregate, type, PER_KEY, KEYS],
    );
    const count = async (where: string) => Number((await scratch.query<{ n: string }>(`select count(*) as n from outbox where ${where}`))[0]!.n);
    expect(await count('published_at is null')).toBe(TOTAL);

    // A row lock in the middle of the outbox holds the relay's "mark published" of the batch
    // that contains it: that batch is then on Kafka and not marked, the window a crash can hit.
    const blocker = new pg.Client({ connectionString: adminUrl() });
    await blocker.connect();
    await blocker.query('begin');
    // (FOR UPDATE beside OFFSET would lock every row it skips too)
    await blocker.query(
      `select position from ${scratch.name}.outbox
        where position = (select position from ${scratch.name}.outbox order by position offset $1 limit 1) for update`,
      [TOTAL / 2 + 250 - 1],
    );

    const first = spawnRelay(adminUrl(), scratch.name);
    relays.push(first);
    const stuck = await until(
      async () =>
        (
          await scratch.query<{ pid: number }>(
            `select pid from pg_stat_activity where usename = 'comanda_relay' and wait_event_type = 'Lock' and query like $1`,
            [`update ${scratch.name}.outbox set published_at%`],
          )
        )[0],
      `the relay to block on its mark (relay output: ${first.output.join('')})`,
      60_000,
    );
    const markedBeforeCrash = await count('published_at is not null');
    expect(markedBeforeCrash).toBeGreaterThan(0);
    expect(markedBeforeCrash).toBeLessThan(TOTAL);

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // a dead host's session dies with it: without this, the blocked update would still commit
    // once unblocked, as PostgreSQL notices the closed socket only when it answers
    await scratch.query('select pg_terminate_backend($1)', [stuck.pid]);
    await blocker.query('rollback');
    await blocker.end();
    expect(await count('published_at is not null')).toBe(markedBeforeCrash);
    const onKafkaAtCrash = await messagesOn(scratch.topic);
    // the batch in flight reached Kafka although the outbox does not know it
    expect(onKafkaAtCrash).toBeGreaterThan(markedBeforeCrash);

    const second = spawnRelay(adminUrl(), scratch.name);
    relays.push(second);
    await until(
      async () => (await count('published_at is null')) === 0,
      `the restarted relay to drain the outbox (${second.output.join('')})`,
      120_000,
    );
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const onKafka = await messagesOn(scratch.topic);
    // the unmarked batch went out twice
    expect(onKafka).toBe(TOTAL + (onKafkaAtCrash - markedBeforeCrash));

    const received: InboundMessage[] = [];
    stoppers.push(
      await transport.subscribe({
        groupId: `relay-crash-reader-${randomUUID()}`,
        topics: [scratch.topic],
        fromBeginning: true,
        handle: async (message) => void received.push(message),
      }),
    );
    await until(async () => received.length >= onKafka, 'the reader to see every message', 120_000);

    const outboxIds = (await scratch.query<{ id: string }>('select id from outbox')).map((row) => row.id);
    const events = received.map((message) => ({ message, event: decodeEvent(message) }));
    expect(new Set(events.map(({ event }) => event.id))).toEqual(new Set(outboxIds));
    const sequencesByKey = new Map<string, number[]>();
    const partitionsByKey = new Map<string, Set<number>>();
    for (const { message, event } of events) {
      expect(message.key).toBe(event.subject);
      sequencesByKey.set(event.subject, [...(sequencesByKey.get(event.subject) ?? []), event.sequence]);
      partitionsByKey.set(event.subject, (partitionsByKey.get(event.subject) ?? new Set()).add(message.partition));
    }
    const inOrder = Array.from({ length: PER_KEY }, (_, i) => i + 1);
    expect(sequencesByKey.size).toBe(KEYS);
    for (const [key, sequences] of sequencesByKey) {
      expect([...new Set(sequences)], `first occurrences of ${key}`).toEqual(inOrder);
      expect(partitionsByKey.get(key)!.size, `partitions of ${key}`).toBe(1);
    }

    await until(async () => (await groupLag(`comanda.${consumerName}`, scratch.topic)) === 0, 'the consumer to catch up', 180_000);
    const [applied] = await scratch.query<{ n: string; events: string }>(
      'select count(*) as n, count(distinct event_id) as events from effect where consumer = $1',
      [consumerName],
    );
    expect({ effects: Number(applied!.n), events: Number(applied!.events) }).toEqual({ effects: TOTAL, events: TOTAL });
    const appliedOrder = await scratch.query<{ subject: string; sequences: number[] }>(
      'select subject, array_agg(sequence order by id) as sequences from effect where consumer = $1 group by subject',
      [consumerName],
    );
    for (const { subject, sequences } of appliedOrder) expect(sequences, `effects of ${subject}`).toEqual(inOrder);
  }, 420_000);
});

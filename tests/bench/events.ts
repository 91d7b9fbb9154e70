/**
 * Events: how fast the outbox relay drains a backlog (events/s), and how long an event takes
 * from its producer's COMMIT to a subscriber's handler at a steady 500 events/s (p50, p99), on
 * the embedded PostgreSQL transport and on Kafka. Baselines from the same run and database: the
 * bulk INSERT rate of the outbox itself, and commit-to-LISTEN latency (a pg_notify in the
 * producing transaction), the floor for anything that reacts to a commit.
 *
 * Producer, relay and subscribers share this process (so commit and receive times are read on
 * one clock); the event-loop delay printed beside each steady run shows whether that skewed it.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  brokersFromEnv,
  createTopics,
  EmbeddedTransport,
  type EventTransport,
  KafkaTransport,
  PARTITIONS,
  type Stopper,
  startRelay,
  topicOf,
} from '@comanda/kafka';
import { appDatabaseUrl, migrate } from '@comanda/kit';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { ensureBroker } from '../../kafka/test/ensure-broker.ts';

const SOURCE = 'bench';
const AGGREGATE = 'tick';
const TYPE = `comanda.${SOURCE}.${AGGREGATE}.recorded.v1`;
const TOPIC = topicOf(SOURCE, AGGREGATE);
const TENANT = 'bench-tenant';
const DATABASE = 'comanda_bench_events';
/** rows in the backlog the relay drains */
const BACKLOG = 50_000;
/** rows per INSERT (and commit) while filling it */
const FILL_BATCH = 5_000;
/** events per second of the steady runs */
const RATE = 500;
/** events spread over this many aggregates (keys), as many orders would be */
const KEYS = 1_000;
/** how long a steady run waits for stragglers after its last commit */
const DRAIN_MS = 30_000;

const GOALS = { relayEventsPerSec: 5_000, p99Ms: 250 };

const relayLog = { info() {}, warn: (obj: object, msg: string) => console.error(`relay: ${msg}`, obj) };

/** An order-sized payload, so the relay moves realistic bytes. */
function payload(n: number): Record<string, unknown> {
  return {
    n,
    storeId: 'store-1',
    channel: 'POS',
    currencyCode: 'EUR',
    total: '148.5000',
    taxTotal: '25.7700',
    lines: [1, 2, 3].map((k) => ({ sku: `SKU-${(n + k) % 500}`, quantity: String(k), unitPrice: '24.7500', total: (24.75 * k).toFixed(4) })),
  };
}

const OUTBOX_INSERT = `insert into ${SOURCE}.outbox (id, tenant_id, store_id, aggregate_type, aggregate_id, sequence, type, data)`;

/** Keys and sequences as the aggregates' own counters would give them: (k mod KEYS, k div KEYS + 1). */
const keyOf = (tag: string, k: number) => `${tag}-${k % KEYS}`;
const sequenceOf = (k: number) => Math.floor(k / KEYS) + 1;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Fills an empty outbox with BACKLOG unpublished rows; returns the INSERT rate (rows/s), the baseline. */
async function fillBacklog(db: pg.Client, tag: string): Promise<number> {
  await db.query(`truncate ${SOURCE}.outbox`);
  const batches: unknown[][] = [];
  for (let from = 0; from < BACKLOG; from += FILL_BATCH) {
    const ks = Array.from({ length: Math.min(FILL_BATCH, BACKLOG - from) }, (_, i) => from + i);
    batches.push([
      ks.map(() => randomUUID()),
      ks.map((k) => keyOf(tag, k)),
      ks.map(sequenceOf),
      ks.map((k) => JSON.stringify(payload(k))),
      TENANT,
      AGGREGATE,
      TYPE,
    ]);
  }
  const started = performance.now();
  for (const batch of batches) {
    await db.query(
      `${OUTBOX_INSERT}
       select id, $5, 'store-1', $6, aggregate_id, sequence, $7, data
         from unnest($1::uuid[], $2::text[], $3::bigint[], $4::jsonb[]) as r(id, aggregate_id, sequence, data)`,
      batch,
    );
  }
  return BACKLOG / ((performance.now() - started) / 1000);
}

/** Starts the relay on a full outbox and times it until every row is published. */
async function relayThroughput(db: pg.Client, relayUrl: string, transport: EventTransport): Promise<number> {
  // connections are opened before the clock starts: a relay runs for days, its start does not count
  await transport.publish([{ topic: TOPIC, key: 'warm-up', value: '{}' }]);
  const started = performance.now();
  const relay = await startRelay({ databaseUrl: relayUrl, sources: [SOURCE], transport, log: relayLog });
  await relay.idle();
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${SOURCE}.outbox where published_at is null`);
  if (rows[0]!.n) throw new Error(`relay went idle with ${rows[0]!.n} rows unpublished`);
  return BACKLOG / seconds;
}

interface Steady {
  produced: number;
  received: number;
  failedWrites: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  loopDelayP99Ms: number;
}

/**
 * Writes RATE outbox rows a second for `seconds`, each in its own transaction as the subgraph's
 * role (tenant set, RLS on), like a real mutation; an open loop, so a slow commit does not slow
 * the schedule. `listen` subscribes first and hands back the stopper; the callback it gets is
 * called with the event id on receipt. Latency is receive time minus the producer's COMMIT
 * acknowledgement.
 */
async function steady(
  appUrl: string,
  seconds: number,
  tag: string,
  listen: (received: (id: string) => void) => Promise<Stopper>,
  insertSql = `${OUTBOX_INSERT} values ($1, $2, 'store-1', $3, $4, $5, $6, $7)`,
): Promise<Steady> {
  const committedAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const stop = await listen((id) => {
    if (!receivedAt.has(id)) receivedAt.set(id, performance.now());
  });
  const pool = new pg.Pool({ connectionString: appUrl, max: 8 });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let failedWrites = 0;

  const write = async (k: number) => {
    const id = randomUUID();
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      await client.query(`begin; select set_config('app.tenant_id', '${TENANT}', true)`);
      await client.query(insertSql, [id, TENANT, AGGREGATE, keyOf(tag, k), sequenceOf(k), TYPE, JSON.stringify(payload(k))]);
      await client.query('commit');
      committedAt.set(id, performance.now());
    } catch (error) {
      failedWrites++;
      await client?.query('rollback').catch(() => {});
      if (failedWrites === 1) console.error('  write failed:', (error as Error).message);
    } finally {
      client?.release();
    }
  };

  try {
    await pool.query('select 1');
    loop.enable();
    const total = Math.round(seconds * RATE);
    const started = performance.now();
    const writes: Promise<void>[] = [];
    while (writes.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * RATE) / 1000) + 1);
      while (writes.length < due) writes.push(write(writes.length));
      await sleep(1);
    }
    await Promise.all(writes);
    const achievedRate = committedAt.size / ((performance.now() - started) / 1000);
    loop.disable();
    const deadline = performance.now() + DRAIN_MS;
    while ([...committedAt.keys()].some((id) => !receivedAt.has(id)) && performance.now() < deadline) await sleep(50);

    const latencies = [...committedAt].flatMap(([id, at]) => {
      const received = receivedAt.get(id);
      return received === undefined ? [] : [Math.max(0, received - at)];
    });
    latencies.sort((a, b) => a - b);
    return {
      produced: committedAt.size,
      received: latencies.length,
      failedWrites,
      achievedRate,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
    };
  } finally {
    await stop();
    await pool.end();
  }
}

const fmtSteady = (s: Steady) =>
  `p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms; ${s.received}/${s.produced} received at ${s.achievedRate.toFixed(0)} events/s` +
  `${s.failedWrites ? `, ${s.failedWrites} writes failed` : ''} (event-loop delay p99 ${s.loopDelayP99Ms.toFixed(1)} ms)`;

interface TransportResult {
  relayEventsPerSec: number;
  insertEventsPerSec: number;
  latency: Steady;
}

/** One transport: drain a backlog through it, then a steady run with a subscriber on its topic. */
async function measure(
  name: string,
  db: pg.Client,
  urls: { app: string; relay: string },
  seconds: number,
  makeTransport: (role: 'relay' | 'consumer') => EventTransport,
): Promise<TransportResult> {
  const relayTransport = makeTransport('relay');
  const consumerTransport = makeTransport('consumer');
  try {
    const insertEventsPerSec = await fillBacklog(db, `${name}-backlog`);
    console.log(`  ${name}: outbox filled with ${BACKLOG} rows at ${insertEventsPerSec.toFixed(0)} rows/s (baseline)`);
    const relayEventsPerSec = await relayThroughput(db, urls.relay, relayTransport);
    console.log(`  ${name}: relay drained ${BACKLOG} events at ${relayEventsPerSec.toFixed(0)} events/s`);

    await db.query(`truncate ${SOURCE}.outbox`);
    const relay = await startRelay({ databaseUrl: urls.relay, sources: [SOURCE], transport: relayTransport, log: relayLog });
    let latency: Steady;
    try {
      latency = await steady(urls.app, seconds, `${name}-steady`, (received) =>
        consumerTransport.subscribe({
          groupId: `bench-events-${randomUUID().slice(0, 8)}`,
          topics: [TOPIC],
          fromBeginning: false,
          handle: async (message) => received(message.headers.ce_id!),
        }),
      );
    } finally {
      await relay.stop();
    }
    console.log(`  ${name}: commit-to-consumer at ${RATE}/s: ${fmtSteady(latency)}`);
    return { relayEventsPerSec, insertEventsPerSec, latency };
  } finally {
    await consumerTransport.close();
    await relayTransport.close();
  }
}

async function freshDatabase(admin: string, drop: boolean): Promise<string> {
  const url = new URL(admin);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${DATABASE}" with (force)`);
    if (!drop) await client.query(`create database "${DATABASE}"`);
  } finally {
    await client.end();
  }
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

async function deleteTopic(brokers: string[]): Promise<void> {
  const admin = new kafkajs.Kafka({ clientId: 'comanda-bench', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [TOPIC] });
  } finally {
    await admin.disconnect();
  }
}

export async function run({ seconds }: { seconds: number }): Promise<void> {
  const admin = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const brokers = brokersFromEnv();
  const databaseUrl = await freshDatabase(admin, false);
  const db = new pg.Client({ connectionString: databaseUrl });
  let topicCreated = false;
  try {
    await migrate(SOURCE, [], databaseUrl);
    await db.connect();
    await ensureBroker();
    await createTopics(brokers, [{ name: TOPIC, partitions: PARTITIONS, retentionMs: 60 * 60 * 1000 }]);
    topicCreated = true;
    const urls = { app: appDatabaseUrl(databaseUrl, SOURCE), relay: appDatabaseUrl(databaseUrl, 'relay') };

    console.log(`events: backlog ${BACKLOG} events, steady ${RATE} events/s for ${seconds} s, ${KEYS} keys, topic ${TOPIC}`);
    const probe = `bench_probe_${randomUUID().slice(0, 8)}`;
    const notify = await steady(
      urls.app,
      seconds,
      'notify',
      async (received) => {
        const listener = new pg.Client({ connectionString: databaseUrl });
        await listener.connect();
        listener.on('notification', (n) => received(n.payload!));
        await listener.query(`listen ${probe}`);
        return () => listener.end();
      },
      `with e as (${OUTBOX_INSERT} values ($1, $2, 'store-1', $3, $4, $5, $6, $7) returning id) select pg_notify('${probe}', id::text) from e`,
    );
    console.log(`  baseline: commit-to-LISTEN at ${RATE}/s: ${fmtSteady(notify)}`);

    const embedded = await measure('embedded', db, urls, seconds, () => new EmbeddedTransport({ databaseUrl: urls.relay, log: relayLog }));
    const kafka = await measure('kafka', db, urls, seconds, (role) => new KafkaTransport({ brokers, clientId: `comanda-bench-${role}` }));

    const insertEventsPerSec = (embedded.insertEventsPerSec + kafka.insertEventsPerSec) / 2;
    const summary = (r: TransportResult) => ({
      relayEventsPerSec: Math.round(r.relayEventsPerSec),
      p50Ms: round(r.latency.p50Ms),
      p99Ms: round(r.latency.p99Ms),
      maxMs: round(r.latency.maxMs),
      received: r.latency.received,
      produced: r.latency.produced,
      loopDelayP99Ms: round(r.latency.loopDelayP99Ms),
    });
    const ratios = {
      embeddedRelayToInsert: round(embedded.relayEventsPerSec / insertEventsPerSec, 3),
      kafkaRelayToInsert: round(kafka.relayEventsPerSec / insertEventsPerSec, 3),
      kafkaToEmbeddedThroughput: round(kafka.relayEventsPerSec / embedded.relayEventsPerSec, 3),
      kafkaToEmbeddedP99: round(kafka.latency.p99Ms / embedded.latency.p99Ms, 3),
    };
    // a run that lost events has no meaningful latency: it fails the goal whatever its percentiles
    const complete = (r: TransportResult) => r.latency.received === r.latency.produced && r.latency.failedWrites === 0;
    const goals = {
      ...GOALS,
      embeddedThroughputMet: embedded.relayEventsPerSec >= GOALS.relayEventsPerSec,
      kafkaThroughputMet: kafka.relayEventsPerSec >= GOALS.relayEventsPerSec,
      embeddedLatencyMet: complete(embedded) && embedded.latency.p99Ms < GOALS.p99Ms,
      kafkaLatencyMet: complete(kafka) && kafka.latency.p99Ms < GOALS.p99Ms,
    };
    console.log(
      `  relay/INSERT throughput ratio: embedded ${ratios.embeddedRelayToInsert}, kafka ${ratios.kafkaRelayToInsert}; kafka/embedded ${ratios.kafkaToEmbeddedThroughput}`,
    );
    console.log(`  kafka/embedded p99 ratio ${ratios.kafkaToEmbeddedP99}`);
    console.log(
      `  goals (>= ${GOALS.relayEventsPerSec} events/s, p99 < ${GOALS.p99Ms} ms): ` +
        Object.entries(goals)
          .filter(([, v]) => typeof v === 'boolean')
          .map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`)
          .join(', '),
    );
    console.log(
      JSON.stringify({
        bench: 'events',
        seconds,
        rate: RATE,
        backlog: BACKLOG,
        embedded: summary(embedded),
        kafka: summary(kafka),
        baseline: {
          insertEventsPerSec: Math.round(insertEventsPerSec),
          notifyP50Ms: round(notify.p50Ms),
          notifyP99Ms: round(notify.p99Ms),
        },
        ratios,
        goals,
      }),
    );
  } finally {
    await db.end().catch(() => {});
    if (topicCreated) await deleteTopic(brokers).catch((error) => console.error(`could not delete ${TOPIC}: ${error.message}`));
    await freshDatabase(admin, true);
  }
}

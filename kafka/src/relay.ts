/**
 * The outbox relay: publishes each subgraph's unpublished outbox rows to the broker, then marks
 * them published. At-least-once: a crash between the broker's ack and the mark republishes a
 * batch, which consumers absorb through their inbox.
 *
 * Order: rows go out by outbox position. Changes to one aggregate are serialized by a row lock
 * and the later one inserts its outbox row only after the earlier committed, so whenever a row
 * is visible every earlier row of its aggregate is visible too and has a smaller position:
 * per-aggregate order holds without waiting for unrelated transactions.
 *
 * One active publisher per outbox: a session advisory lock per source. Several relay processes
 * may run; the others wait as hot standbys and take over when the holder's connection dies.
 * NOTIFY wakes the relay; polling is the truth.
 */

import pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { encodeEvent, type OutboxRow, toEnvelope } from './envelope.ts';
import type { EventTransport } from './transport.ts';

export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RelayOptions {
  /** a role that reads every outbox and may set published_at (comanda_relay) */
  databaseUrl: string;
  /** the subgraph schemas whose outboxes to relay */
  sources: string[];
  /** where the events go: Kafka, or the embedded log */
  transport: Pick<EventTransport, 'publish'>;
  log: RelayLogger;
  registry?: Registry;
  batchSize?: number;
  pollMs?: number;
}

export const NOTIFY_CHANNEL = 'comanda_outbox';
const MAX_BACKOFF_MS = 10_000;

function relayMetrics(registry?: Registry) {
  const registers = registry ? [registry] : [];
  return {
    published: new Counter({ name: 'relay_events_published_total', help: 'events published', labelNames: ['source'], registers }),
    errors: new Counter({ name: 'relay_publish_errors_total', help: 'failed publish attempts', labelNames: ['source'], registers }),
    lag: new Gauge({ name: 'relay_unpublished_events', help: 'outbox rows not yet published', labelNames: ['source'], registers }),
    active: new Gauge({ name: 'relay_active_publisher', help: '1 when this process holds the outbox lock', labelNames: ['source'], registers }),
  };
}

export interface Relay {
  /** resolves once every source has been drained at least once by this process (tests) */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 500;
  const metrics = relayMetrics(options.registry);
  const listener = new pg.Client({ connectionString: options.databaseUrl });
  let stopped = false;
  const wakers = new Set<() => void>();
  /** sources notified since their last read: a NOTIFY that came while a loop was busy must not be lost */
  const notified = new Set<string>();
  await listener.connect();
  await listener.query(`listen ${NOTIFY_CHANNEL}`);
  listener.on('notification', (message) => {
    if (message.payload) notified.add(message.payload);
    for (const wake of wakers) wake();
  });
  listener.on('error', (error) => options.log.warn({ err: error }, 'relay listener lost its connection; polling continues'));

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  const idleWaiters: (() => void)[] = [];
  const drainedOnce = new Set<string>();

  async function relaySource(source: string): Promise<void> {
    let backoff = 100;
    while (!stopped) {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      try {
        await client.connect();
        // Statistics lag behind a backlog: the planner still expects the few unpublished rows of
        // its last ANALYZE and, below a batch, prefers reading and sorting the whole backlog on
        // every batch (quadratic catch-up). The partial index yields rows in position order.
        await client.query('set enable_sort = off');
        const lockKey = `comanda-relay:${source}`;
        // standby until the lock is ours: another relay process publishes this outbox meanwhile
        while (!stopped) {
          const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [lockKey]);
          if (rows[0]?.ok) break;
          await sleep(pollMs * 2);
        }
        if (stopped) break;
        metrics.active.set({ source }, 1);
        options.log.info({ source }, 'relay publishing');
        while (!stopped) {
          notified.delete(source);
          const { rows } = await client.query<OutboxRow>(
            `select position, id, tenant_id, store_id, aggregate_type, aggregate_id, sequence, type, data, traceparent, occurred_at
               from ${source}.outbox where published_at is null order by position limit ${batchSize}`,
          );
          if (rows.length) {
            try {
              await options.transport.publish(rows.map((row) => encodeEvent(toEnvelope(source, row))));
            } catch (error) {
              metrics.errors.inc({ source });
              options.log.warn({ err: error, source, backoffMs: backoff }, 'publish failed; retrying with backoff');
              await sleep(backoff);
              backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
              continue;
            }
            backoff = 100;
            await client.query(`update ${source}.outbox set published_at = now() where position = any($1::bigint[])`, [rows.map((r) => r.position)]);
            metrics.published.inc({ source }, rows.length);
          }
          if (rows.length < batchSize) {
            const { rows: lag } = await client.query<{ n: number }>(`select count(*)::int as n from ${source}.outbox where published_at is null`);
            metrics.lag.set({ source }, lag[0]?.n ?? 0);
            if (!drainedOnce.has(source) && !lag[0]?.n) {
              drainedOnce.add(source);
              if (drainedOnce.size === options.sources.length) for (const resolve of idleWaiters.splice(0)) resolve();
            }
            // a commit notified during this pass is not in what it read: read again at once
            if (!notified.has(source)) await sleep(pollMs);
          }
        }
      } catch (error) {
        if (stopped) break;
        metrics.active.set({ source }, 0);
        options.log.warn({ err: error, source }, 'relay lost its database connection; reconnecting');
        await sleep(Math.min(backoff, MAX_BACKOFF_MS));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } finally {
        // closing the session releases the advisory lock
        await client.end().catch(() => {});
      }
    }
    metrics.active.set({ source }, 0);
  }

  const loops = options.sources.map((source) => relaySource(source));
  return {
    idle: () => (drainedOnce.size === options.sources.length ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    async stop() {
      stopped = true;
      for (const wake of wakers) wake();
      await Promise.all(loops);
      await listener.end().catch(() => {});
    },
  };
}

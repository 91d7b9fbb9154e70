/**
 * The embedded transport: PostgreSQL as the log, for the single-machine default (`npm start`
 * without KAFKA_BROKERS). It keeps Kafka's contract (kafka/src/transport.ts) so the relay and
 * the consumer runtime do not care which one runs:
 *   events.log           one row per message, in the order the publishers committed them
 *   events.group_offset  a consumer group's position per topic, moved after each handled batch
 * A topic has one partition here (0), so a group has one active member per topic at a time
 * (advisory lock); the others wait as standbys.
 *
 * Commit order: a row is read only once no older transaction is still running (its txid is
 * below the snapshot's xmin), and groups advance on (txid, position), so a row committed late
 * is never skipped. NOTIFY wakes subscribers; polling is the truth.
 */
import pg from 'pg';
import type { EventTransport, InboundMessage, OutboundMessage, Stopper, Subscription, TransportHealth } from './transport.ts';

export const EMBEDDED_NOTIFY_CHANNEL = 'comanda_events';

/** Idempotent DDL; run by the cluster admin (kit's migrate does). */
export const EMBEDDED_LOG_SQL = [
  'create schema if not exists events',
  `create table if not exists events.log (
     position bigserial primary key,
     txid xid8 not null default pg_current_xact_id(),
     topic text not null,
     key text,
     value text not null,
     headers jsonb not null default '{}',
     published_at timestamptz not null default now())`,
  'create index if not exists log_topic_order on events.log (topic, txid, position)',
  `create table if not exists events.group_offset (
     group_id text not null,
     topic text not null,
     txid xid8 not null default '0',
     position bigint not null default 0,
     updated_at timestamptz not null default now(),
     primary key (group_id, topic))`,
  `create or replace function events.notify_log() returns trigger language plpgsql as $$
     begin perform pg_notify('${EMBEDDED_NOTIFY_CHANNEL}', ''); return null; end $$`,
  `do $$ begin
     create trigger log_notify after insert on events.log for each statement execute function events.notify_log();
   exception when duplicate_object then null; end $$`,
];

export interface EmbeddedTransportOptions {
  /** a role with rights on the events schema (comanda_relay) */
  databaseUrl: string;
  pollMs?: number;
  batchSize?: number;
  redeliveryBackoff?: { initialMs: number; maxMs: number };
  log?: { warn(obj: object, msg: string): void };
}

interface LogRow {
  position: string;
  txid: string;
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  published_at: Date;
}

export class EmbeddedTransport implements EventTransport {
  private readonly pool: pg.Pool;
  private readonly stoppers = new Set<Stopper>();
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  private readonly options: EmbeddedTransportOptions;

  constructor(options: EmbeddedTransportOptions) {
    this.options = options;
    // statistics lag behind a backlog: below a batch the planner prefers reading and sorting the
    // whole backlog on every read, while log_topic_order already yields it in order
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: 6, options: '-c enable_sort=off' });
    this.pool.on('error', () => {});
    this.pollMs = options.pollMs ?? 500;
    this.batchSize = options.batchSize ?? 200;
    this.backoff = options.redeliveryBackoff ?? { initialMs: 50, maxMs: 2_000 };
  }

  async publish(batch: OutboundMessage[]): Promise<void> {
    if (!batch.length) return;
    // one statement: the batch commits whole, in its order (position follows the array order)
    await this.pool.query(
      `insert into events.log (topic, key, value, headers)
       select topic, key, value, headers from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) with ordinality
         as m(topic, key, value, headers, n) order by n`,
      [batch.map((m) => m.topic), batch.map((m) => m.key), batch.map((m) => m.value), batch.map((m) => JSON.stringify(m.headers ?? {}))],
    );
  }

  async subscribe(subscription: Subscription): Promise<Stopper> {
    const members = await Promise.all(subscription.topics.map((topic) => this.consumeTopic(subscription, topic)));
    const stop = async () => {
      this.stoppers.delete(stop);
      await Promise.all(members.map((m) => m()));
    };
    this.stoppers.add(stop);
    return stop;
  }

  /**
   * The one session per transport that holds the group locks and LISTENs: a session advisory lock
   * lives as long as its connection, so membership needs a connection, but one connection can
   * hold every group's lock. Reads and offset commits go through the pool. When the session
   * dies its locks go with it: the epoch moves on and every topic loop takes its lock again.
   */
  private membership: Promise<pg.Client> | null = null;
  private current: pg.Client | null = null;
  private membershipEpoch = 0;
  private readonly listeners = new Set<() => void>();
  /** advisory locks are re-entrant per session: two members in this process must not both hold one */
  private readonly heldHere = new Set<string>();

  /** the membership session is shared by every topic loop: its statements take turns */
  private sessionTurn: Promise<unknown> = Promise.resolve();
  private onSession<R extends pg.QueryResultRow = pg.QueryResultRow>(client: pg.Client, sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    const run = this.sessionTurn.then(() => client.query<R>(sql, params));
    this.sessionTurn = run.catch(() => {});
    return run;
  }

  private member(): Promise<pg.Client> {
    if (!this.membership) {
      const lost = (client: pg.Client) => {
        if (this.membership && this.current === client) {
          this.membership = null;
          this.current = null;
          this.membershipEpoch++;
          this.heldHere.clear();
          for (const listener of this.listeners) listener();
        }
      };
      this.membership = (async () => {
        const client = new pg.Client({ connectionString: this.options.databaseUrl });
        client.on('error', () => lost(client));
        client.on('end', () => lost(client));
        await client.connect();
        await client.query(`listen ${EMBEDDED_NOTIFY_CHANNEL}`);
        client.on('notification', () => {
          for (const listener of this.listeners) listener();
        });
        this.current = client;
        return client;
      })();
      this.membership.catch(() => {
        this.membership = null;
      });
    }
    return this.membership;
  }

  /** One topic of a subscription: position the group, take its lock, deliver in order. */
  private async consumeTopic(subscription: Subscription, topic: string): Promise<Stopper> {
    const { groupId } = subscription;
    const lockKey = `comanda-group:${groupId}:${topic}`;
    const start = subscription.fromBeginning
      ? 'insert into events.group_offset (group_id, topic) values ($1, $2) on conflict do nothing'
      : `insert into events.group_offset (group_id, topic, txid, position)
         select $1, $2, coalesce(max(txid), '0'), coalesce(max(position), 0) from events.log where topic = $2
         on conflict do nothing`;
    await this.pool.query(start, [groupId, topic]);

    let stopped = false;
    let wake: (() => void) | null = null;
    /** a NOTIFY that came while delivering, when nobody sleeps to be woken: it must not be lost */
    let notified = false;
    const listener = () => {
      notified = true;
      wake?.();
    };
    this.listeners.add(listener);
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
      });

    let holder: { client: pg.Client; epoch: number } | null = null;
    const session = async () => {
      const client = await this.member();
      const epoch = this.membershipEpoch;
      // one active member per group and topic; a standby polls for the lock
      while (!stopped && epoch === this.membershipEpoch) {
        if (!this.heldHere.has(lockKey)) {
          this.heldHere.add(lockKey);
          const { rows } = await this.onSession<{ ok: boolean }>(client, 'select pg_try_advisory_lock(hashtext($1)) as ok', [lockKey]);
          if (rows[0]?.ok) break;
          this.heldHere.delete(lockKey);
        }
        await sleep(this.pollMs * 2);
      }
      if (stopped || epoch !== this.membershipEpoch) return;
      holder = { client, epoch };
      while (!stopped && epoch === this.membershipEpoch) {
        notified = false;
        // The offset as two scalar subqueries (parameters of the scan) bounds the index scan; as a
        // join column the planner, once it has statistics, walks the topic's whole history and filters.
        const { rows } = await this.pool.query<LogRow>(
          `select l.position, l.txid::text as txid, l.topic, l.key, l.value, l.headers, l.published_at
             from events.log l
            where l.topic = $2
              and (l.txid, l.position) > ((select txid from events.group_offset where group_id = $1 and topic = $2),
                                          (select position from events.group_offset where group_id = $1 and topic = $2))
              and l.txid < pg_snapshot_xmin(pg_current_snapshot())
            order by l.txid, l.position
            limit ${this.batchSize}`,
          [groupId, topic],
        );
        // the offset moves once per batch, past what was handled: a commit per message cost one
        // WAL flush per event and group; a crash redelivers at most a batch, which inboxes absorb
        let handled: LogRow | null = null;
        for (const row of rows) {
          if (stopped || epoch !== this.membershipEpoch || !(await this.deliver(subscription, row, () => stopped))) break;
          handled = row;
        }
        if (handled) {
          await this.pool.query(
            'update events.group_offset set txid = $3::xid8, position = $4, updated_at = now() where group_id = $1 and topic = $2',
            [groupId, topic, handled.txid, handled.position],
          );
        }
        if (rows.length < this.batchSize && !stopped && !notified) await sleep(this.pollMs);
      }
    };

    const loop = (async () => {
      let backoff = this.pollMs;
      while (!stopped) {
        try {
          await session();
          backoff = this.pollMs;
        } catch (error) {
          if (stopped) break;
          this.options.log?.warn({ err: error, groupId, topic }, 'embedded subscription lost its connection; reconnecting');
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
    })();

    return async () => {
      stopped = true;
      wake?.();
      await loop;
      this.listeners.delete(listener);
      const held = holder as { client: pg.Client; epoch: number } | null;
      if (held && held.epoch === this.membershipEpoch) {
        await this.onSession(held.client, 'select pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
        this.heldHere.delete(lockKey);
      }
    };
  }

  /** Calls the handler until it resolves; false when the subscription stopped first. */
  private async deliver(subscription: Subscription, row: LogRow, isStopped: () => boolean): Promise<boolean> {
    let wait = this.backoff.initialMs;
    for (let attempt = 1; ; attempt++) {
      const message: InboundMessage = {
        topic: row.topic,
        partition: 0,
        offset: row.position,
        key: row.key,
        value: row.value,
        headers: row.headers,
        timestamp: row.published_at.toISOString(),
        attempt,
      };
      try {
        await subscription.handle(message);
        return true;
      } catch {
        if (isStopped()) return false;
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, this.backoff.maxMs);
        if (isStopped()) return false;
      }
    }
  }

  async health(): Promise<TransportHealth> {
    try {
      const { rows } = await this.pool.query<{ n: string }>('select count(*) as n from events.log');
      return { ok: true, detail: `embedded log on PostgreSQL, ${rows[0]?.n ?? 0} messages` };
    } catch (error) {
      return { ok: false, detail: `PostgreSQL not reachable: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.stoppers].map((stop) => stop()));
    const session = this.current;
    this.membership = null;
    this.current = null;
    await session?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}

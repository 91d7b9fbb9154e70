import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { tenantEm } from './db.ts';
import type { EventEnvelope, EventHandler } from './events.ts';
import type { Logger } from './log.ts';

/**
 * The embedded event transport (DESIGN.md): the publishing subgraph's outbox is the log and
 * each consumer keeps its position in events.consumer_offset. A row becomes deliverable once
 * no older transaction is still running (txid below the snapshot's xmin), so commit order is
 * respected and nothing committed late is skipped. NOTIFY wakes the poller; polling is the truth.
 *
 * Each handler's effect and its inbox row commit in one transaction, so a redelivery after a
 * crash changes nothing. A handler that keeps failing is parked in events.dead_letter and the
 * consumer moves on.
 */

export const NOTIFY_CHANNEL = 'comanda_outbox';
const POLL_MS = 500;
const BATCH = 200;
const MAX_ATTEMPTS = 5;

interface OutboxRow {
  position: string;
  txid: string;
  id: string;
  tenant_id: string;
  store_id: string | null;
  aggregate_id: string;
  sequence: string;
  type: string;
  data: Record<string, unknown>;
  traceparent: string | null;
  occurred_at: Date;
}

export function sourceOf(eventType: string): string {
  const source = eventType.split('.')[1];
  if (!source || !/^[a-z_]+$/.test(source)) throw new Error(`not a comanda event type: ${eventType}`);
  return source;
}

export function toEnvelope(source: string, row: OutboxRow): EventEnvelope {
  return {
    specversion: '1.0',
    id: row.id,
    source,
    type: row.type,
    subject: row.aggregate_id,
    time: row.occurred_at.toISOString(),
    tenantid: row.tenant_id,
    storeid: row.store_id,
    sequence: Number(row.sequence),
    traceparent: row.traceparent,
    datacontenttype: 'application/json',
    data: row.data,
  };
}

/** Idempotent DDL for the transport's own tables; run as the cluster admin. */
export const EVENT_STORE_SQL = [
  'create schema if not exists events',
  `create table if not exists events.consumer_offset (
     consumer text not null, source text not null,
     txid xid8 not null default '0', position bigint not null default 0,
     updated_at timestamptz not null default now(),
     primary key (consumer, source))`,
  `create table if not exists events.dead_letter (
     consumer text not null, event_id uuid not null, source text not null, type text not null,
     tenant_id text not null, error text not null, envelope jsonb not null,
     failed_at timestamptz not null default now(), primary key (consumer, event_id))`,
];

export interface ConsumerOptions {
  subgraph: string;
  handlers: EventHandler[];
  /** the subgraph's ORM (its own role: effects are written under RLS) */
  orm: MikroORM;
  /** a role that may read every outbox and the events schema (comanda_relay) */
  relayUrl: string;
  log: Logger;
}

export async function startConsumers(options: ConsumerOptions): Promise<() => Promise<void>> {
  const { handlers, orm, log } = options;
  const pool = new pg.Pool({ connectionString: options.relayUrl, max: 2 });
  const listener = new pg.Client({ connectionString: options.relayUrl });
  let stopped = false;
  let wake: (() => void) | null = null;
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

  await listener.connect();
  await listener.query(`listen ${NOTIFY_CHANNEL}`);
  listener.on('notification', () => wake?.());
  listener.on('error', (error) => log.warn({ err: error }, 'event listener lost its connection; polling continues'));

  async function deliver(handler: EventHandler, consumer: string, source: string, row: OutboxRow): Promise<void> {
    const event = toEnvelope(source, row);
    for (let attempt = 1; ; attempt++) {
      try {
        await tenantEm(orm, event.tenantid).transactional(async (tx) => {
          const inserted = await tx.execute(
            'insert into inbox (consumer, event_id, tenant_id) values (?, ?, ?) on conflict do nothing returning event_id',
            [consumer, event.id, event.tenantid],
          );
          if (inserted.length) await handler.handle(tx, event);
        });
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || stopped) {
          log.error({ err: error, consumer, eventId: event.id, type: event.type }, 'event dead-lettered');
          await pool.query(
            `insert into events.dead_letter (consumer, event_id, source, type, tenant_id, error, envelope)
             values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
            [consumer, event.id, source, event.type, event.tenantid, String((error as Error).message ?? error), JSON.stringify(event)],
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  /** One pass for one handler over one source; returns how many events it handled. */
  async function drain(handler: EventHandler, source: string, types: string[]): Promise<number> {
    const consumer = `${options.subgraph}.${handler.name}`;
    await pool.query('insert into events.consumer_offset (consumer, source) values ($1, $2) on conflict do nothing', [consumer, source]);
    const { rows: offsets } = await pool.query<{ txid: string; position: string }>(
      'select txid::text, position from events.consumer_offset where consumer = $1 and source = $2',
      [consumer, source],
    );
    const offset = offsets[0] ?? { txid: '0', position: '0' };
    const { rows } = await pool.query<OutboxRow>(
      `select position, txid::text as txid, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at
         from ${source}.outbox
        where (txid, position) > ($1::xid8, $2::bigint)
          and txid < pg_snapshot_xmin(pg_current_snapshot())
          and type = any($3)
        order by txid, position
        limit ${BATCH}`,
      [offset.txid, offset.position, types],
    );
    for (const row of rows) {
      if (stopped) break;
      await deliver(handler, consumer, source, row);
      await pool.query('update events.consumer_offset set txid = $3::xid8, position = $4, updated_at = now() where consumer = $1 and source = $2', [
        consumer,
        source,
        row.txid,
        row.position,
      ]);
    }
    return rows.length;
  }

  const plan = handlers.flatMap((handler) => {
    const bySource = new Map<string, string[]>();
    for (const type of handler.types) bySource.set(sourceOf(type), [...(bySource.get(sourceOf(type)) ?? []), type]);
    return [...bySource].map(([source, types]) => ({ handler, source, types }));
  });

  const loop = (async () => {
    while (!stopped) {
      let handled = 0;
      for (const { handler, source, types } of plan) {
        try {
          handled += await drain(handler, source, types);
        } catch (error) {
          if (!stopped) log.warn({ err: error, handler: handler.name, source }, 'event poll failed; retrying');
        }
      }
      if (!handled && !stopped) await sleep(POLL_MS);
    }
  })();

  return async () => {
    stopped = true;
    wake?.();
    await loop;
    await listener.end().catch(() => {});
    await pool.end();
  };
}

/**
 * A throwaway "subgraph" for the event robustness tests: kit's migrate gives it a schema, role,
 * outbox and inbox like a real one, plus an `effect` table where its handlers record what they
 * applied. No unique constraint there: an event applied twice shows up as two rows.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { appDatabaseUrl, type EntityManager, type EventEnvelope, migrate, openOrm, tenantIsolation } from '@comanda/kit';
import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { type CloudEvent, topicOf } from '../src/envelope.ts';

export const SCRATCH_TENANT = 'tenant-scratch';

class EffectTable extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table effect (
      id bigserial primary key,
      tenant_id text not null,
      consumer text not null,
      event_id uuid not null,
      subject text not null,
      sequence int not null,
      applied_at timestamptz not null default now()
    )`);
    for (const sql of tenantIsolation('effect')) this.addSql(sql);
  }
}
const effectMigration: MigrationObject = { name: '0001_scratch_effect', class: EffectTable };

/** Lower-case letters only: event types allow nothing else in the subgraph and aggregate names. */
export const randomLetters = (length: number) => Array.from({ length }, () => String.fromCharCode(97 + randomInt(26))).join('');

export interface ScratchSubgraph {
  name: string;
  aggregate: string;
  topic: string;
  deadLetterTopic: string;
  /** the subgraph's ORM under its own role, as startConsumers wants it */
  orm: MikroORM;
  eventType(event: string): string;
  event(subject: string, sequence: number, event: string, data?: Record<string, unknown>): CloudEvent;
  /** a handler's effect, inside the transaction applyOnce gives it */
  recordEffect(em: EntityManager, consumer: string, event: EventEnvelope): Promise<void>;
  /** as the cluster admin, which RLS does not restrict */
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * `name` is fixed per test file (the role it creates is cluster-wide and reused); the aggregate
 * is random, so its Kafka topic is new on every run.
 */
export async function scratchSubgraph(adminUrl: string, name: string): Promise<ScratchSubgraph> {
  await migrate(name, [effectMigration], adminUrl);
  const orm = await openOrm(name, [], appDatabaseUrl(adminUrl, name));
  const aggregate = `thing_${randomLetters(8)}`;
  const topic = topicOf(name, aggregate);
  const eventType = (event: string) => `comanda.${name}.${aggregate}.${event}.v1`;
  return {
    name,
    aggregate,
    topic,
    deadLetterTopic: `${topic}.dlq`,
    orm,
    eventType,
    event: (subject, sequence, event, data = {}) => ({
      specversion: '1.0',
      id: randomUUID(),
      source: name,
      type: eventType(event),
      subject,
      time: new Date().toISOString(),
      tenantid: SCRATCH_TENANT,
      storeid: null,
      sequence,
      traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
      datacontenttype: 'application/json',
      data,
    }),
    recordEffect: async (em, consumer, event) => {
      await em.execute('insert into effect (tenant_id, consumer, event_id, subject, sequence) values (?, ?, ?, ?, ?)', [
        event.tenantid,
        consumer,
        event.id,
        event.subject,
        event.sequence,
      ]);
    },
    query: async (sql, params = []) => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`set search_path = ${name}, public`);
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    close: () => orm.close(),
  };
}

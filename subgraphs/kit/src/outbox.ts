import { defineEntity, p } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';

/** One row per domain event, written in the transaction of the change it describes. */
export const OutboxEvent = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox',
  properties: {
    position: p.bigint('number').primary().autoincrement(),
    id: p.uuid().unique(),
    tenantId: p.string(),
    storeId: p.string().nullable(),
    aggregateType: p.string(),
    aggregateId: p.string(),
    sequence: p.bigint('number'),
    type: p.string(),
    data: p.json<Record<string, unknown>>(),
    traceparent: p.string().nullable(),
    occurredAt: p.datetime(),
    publishedAt: p.datetime().nullable(),
  },
});

export interface DomainEvent {
  /** e.g. `order`; with the subgraph it makes the topic `comanda.orders.order.v1` */
  aggregateType: string;
  aggregateId: string;
  /** e.g. `placed`; the full type becomes `comanda.orders.order.placed.v1` */
  event: string;
  tenantId: string;
  storeId?: string | null;
  data: Record<string, unknown>;
  traceparent?: string | null;
}

export function eventType(subgraph: string, aggregateType: string, event: string): string {
  return `comanda.${subgraph}.${aggregateType}.${event}.v1`;
}

export { topicOf } from '@comanda/kafka';

/**
 * Appends an event to the subgraph's outbox inside the caller's transaction (call it from
 * within `em.transactional`). The sequence is per aggregate; callers serialize changes to one
 * aggregate (row lock), and the unique (aggregate, sequence) constraint catches any slip.
 */
export async function recordEvent(em: EntityManager, subgraph: string, event: DomainEvent): Promise<string> {
  const id = uuidv7();
  await em.execute(
    `insert into outbox (id, tenant_id, store_id, aggregate_type, aggregate_id, sequence, type, data, traceparent, occurred_at)
     values (?, ?, ?, ?, ?,
       (select coalesce(max(sequence), 0) + 1 from outbox where aggregate_type = ? and aggregate_id = ?),
       ?, ?, ?, now())`,
    [
      id,
      event.tenantId,
      event.storeId ?? null,
      event.aggregateType,
      event.aggregateId,
      event.aggregateType,
      event.aggregateId,
      eventType(subgraph, event.aggregateType, event.event),
      JSON.stringify(event.data),
      event.traceparent ?? null,
    ],
  );
  return id;
}

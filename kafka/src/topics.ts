/**
 * The topic catalog: one topic per aggregate, keyed by aggregate id, and a dead-letter topic
 * beside each. The names are kit's `topicOf` (`comanda.<subgraph>.<aggregate>.v1`); the
 * aggregates are the ones the subgraphs record events for (schema/events/ has their types, and
 * a unit test keeps the two in step).
 */

export interface TopicSpec {
  name: string;
  partitions: number;
  retentionMs: number;
  /** for a `.dlq`, the topic whose poison events it parks */
  deadLetterOf?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Six partitions let up to six members of a consumer group share a topic. Raising it later
 * moves keys to other partitions, breaking per-aggregate order for the events in flight, so
 * pick it generously once.
 */
export const PARTITIONS = 6;
/** A week: consumers that were down for a long weekend still catch up from Kafka. */
export const RETENTION_MS = 7 * DAY_MS;
/** One partition keeps dead letters in the order they failed; they are few, and read by people. */
export const DLQ_PARTITIONS = 1;
/** A month: time to notice, fix the consumer and replay. */
export const DLQ_RETENTION_MS = 30 * DAY_MS;

/** `[subgraph, aggregate]` for every aggregate whose events leave its subgraph. */
export const AGGREGATES: ReadonlyArray<readonly [subgraph: string, aggregate: string]> = [
  ['orders', 'order'],
  ['orders', 'product'],
  ['orders', 'price_list'],
  ['orders', 'promotion'],
  ['orders', 'store'],
  ['orders', 'customer_pricing'],
  ['payments', 'payment'],
  ['fiscal', 'receipt'],
  ['fiscal', 'invoice'],
  ['fiscal', 'print_job'],
  ['fiscal', 'shift'],
  ['customers', 'customer'],
  ['customers', 'activity'],
  ['credit', 'reservation'],
  ['credit', 'profile'],
  ['logistics', 'shipment'],
  ['logistics', 'stock'],
  ['logistics', 'reservation'],
];

const EVENT_TYPE = /^comanda\.([a-z]+)\.([a-z_]+)\.([a-z_]+)\.(v[0-9]+)$/;

export function topicOf(subgraph: string, aggregate: string): string {
  return `comanda.${subgraph}.${aggregate}.v1`;
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * The topic an event type travels on: `comanda.orders.order.placed.v1` -> `comanda.orders.order.v1`.
 * The topic stays `.v1` when a type moves to `.v2`, so one topic keeps one aggregate's whole history
 * in order; consumers tell versions apart by `type`.
 */
export function topicOfType(eventType: string): string {
  const match = EVENT_TYPE.exec(eventType);
  if (!match) throw new Error(`not a comanda event type: ${eventType}`);
  return topicOf(match[1]!, match[2]!);
}

export const TOPICS: readonly TopicSpec[] = AGGREGATES.flatMap(([subgraph, aggregate]) => {
  const name = topicOf(subgraph, aggregate);
  return [
    { name, partitions: PARTITIONS, retentionMs: RETENTION_MS },
    { name: deadLetterTopic(name), partitions: DLQ_PARTITIONS, retentionMs: DLQ_RETENTION_MS, deadLetterOf: name },
  ];
});

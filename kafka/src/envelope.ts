import { topicOf, topicOfType } from './topics.ts';
import type { InboundMessage, OutboundMessage } from './transport.ts';

export { topicOf };

/**
 * The CloudEvents 1.0 envelope (schema/events/envelope.schema.json). Structurally the same as
 * kit's `EventEnvelope`; declared here because kit will depend on this package, not the reverse.
 */
export interface CloudEvent<TData = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  tenantid: string;
  storeid: string | null;
  sequence: number;
  traceparent: string | null;
  datacontenttype: 'application/json';
  data: TData;
}

/** An outbox row as the relay reads it (kit's OutboxEvent table, snake_case columns). */
export interface OutboxRow {
  position: string;
  id: string;
  tenant_id: string;
  store_id: string | null;
  aggregate_type: string;
  aggregate_id: string;
  sequence: string;
  type: string;
  data: Record<string, unknown>;
  traceparent: string | null;
  occurred_at: Date;
}

export function toEnvelope(source: string, row: OutboxRow): CloudEvent {
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

/** CloudEvents Kafka binding, structured mode: the whole envelope is the value. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/**
 * The Kafka message for an event: its aggregate's topic, keyed by the aggregate id. `ce_type`
 * and `ce_id` repeat envelope fields so a consumer can skip types it does not handle, and tools
 * can trace a message, without parsing the value; `traceparent` carries the trace into Kafka.
 */
export function encodeEvent(event: CloudEvent): OutboundMessage {
  const headers: Record<string, string> = { 'content-type': CLOUDEVENTS_CONTENT_TYPE, ce_type: event.type, ce_id: event.id };
  if (event.traceparent) headers.traceparent = event.traceparent;
  return { topic: topicOfType(event.type), key: event.subject, value: JSON.stringify(event), headers };
}

/** A message whose value is not a Comanda envelope: retrying cannot help, dead-letter it at once. */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function decodeEvent(message: Pick<InboundMessage, 'value'>): CloudEvent {
  let event: unknown;
  try {
    event = JSON.parse(message.value);
  } catch {
    throw new MalformedEventError('value is not JSON');
  }
  if (!isObject(event)) throw new MalformedEventError('value is not a JSON object');
  if (event.specversion !== '1.0') throw new MalformedEventError(`unsupported specversion ${JSON.stringify(event.specversion)}`);
  for (const field of ['id', 'source', 'type', 'subject', 'time', 'tenantid'] as const) {
    if (!isText(event[field])) throw new MalformedEventError(`missing ${field}`);
  }
  if (!Number.isSafeInteger(event.sequence) || (event.sequence as number) < 1) throw new MalformedEventError('sequence is not a positive integer');
  if (!isObject(event.data)) throw new MalformedEventError('data is not an object');
  try {
    topicOfType(event.type as string);
  } catch {
    throw new MalformedEventError(`not a comanda event type: ${String(event.type)}`);
  }
  return event as unknown as CloudEvent;
}

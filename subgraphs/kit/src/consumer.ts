import {
  type CloudEvent,
  deadLetterTopic,
  decodeEvent,
  type EventTransport,
  type InboundMessage,
  MalformedEventError,
  topicOfType,
} from '@comanda/kafka';
import type { MikroORM } from '@mikro-orm/postgresql';
import { tenantEm } from './db.ts';
import type { EventHandler } from './events.ts';
import type { Logger } from './log.ts';

/**
 * The consumer runtime: each handler of a subgraph is one consumer group on the topics of the
 * event types it handles, on whichever transport runs (Kafka, or the embedded log).
 *
 * The handler's effect and its inbox row commit in one transaction, and the transport commits
 * the offset only after that, so a redelivery after a crash finds the inbox row and changes
 * nothing. A handler that keeps failing, or a message that is not an event at all, goes to the
 * topic's dead-letter topic with the error, and the group moves on.
 */

export const MAX_ATTEMPTS = 5;

export interface ConsumerOptions {
  subgraph: string;
  handlers: EventHandler[];
  /** the subgraph's ORM (its own role: effects are written under RLS) */
  orm: MikroORM;
  transport: EventTransport;
  log: Logger;
}

/** The name in the inbox and, prefixed, the consumer group: `payments.order-account`. */
export const consumerName = (subgraph: string, handler: EventHandler) => `${subgraph}.${handler.name}`;
export const groupIdOf = (subgraph: string, handler: EventHandler) => `comanda.${consumerName(subgraph, handler)}`;

/** Applies one event once: the inbox row and the effect in one transaction bound to the event's tenant. */
export async function applyOnce(orm: MikroORM, consumer: string, handler: EventHandler, event: CloudEvent): Promise<boolean> {
  return tenantEm(orm, event.tenantid).transactional(async (tx) => {
    const inserted = await tx.execute(
      'insert into inbox (consumer, event_id, tenant_id) values (?, ?, ?) on conflict do nothing returning event_id',
      [consumer, event.id, event.tenantid],
    );
    if (!inserted.length) return false;
    await handler.handle(tx, event);
    return true;
  });
}

export async function startConsumers(options: ConsumerOptions): Promise<() => Promise<void>> {
  const { subgraph, handlers, orm, transport, log } = options;

  async function deadLetter(message: InboundMessage, consumer: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    log.error({ err: error, consumer, topic: message.topic, offset: message.offset, attempts: message.attempt }, 'event dead-lettered');
    await transport.publish([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key ?? '',
        value: message.value,
        headers: {
          ...message.headers,
          'dlq-consumer': consumer,
          'dlq-error': reason.slice(0, 1000),
          'dlq-topic': message.topic,
          'dlq-partition': String(message.partition),
          'dlq-offset': message.offset,
          'dlq-failed-at': new Date().toISOString(),
        },
      },
    ]);
  }

  const stoppers: (() => Promise<void>)[] = [];
  for (const handler of handlers) {
    const consumer = consumerName(subgraph, handler);
    const types = new Set(handler.types);
    stoppers.push(
      await transport.subscribe({
        groupId: groupIdOf(subgraph, handler),
        topics: [...new Set(handler.types.map(topicOfType))],
        // a new consumer reads the whole retained history: its state is built from it
        fromBeginning: true,
        handle: async (message) => {
          let event: CloudEvent;
          try {
            event = decodeEvent(message);
          } catch (error) {
            if (error instanceof MalformedEventError) return deadLetter(message, consumer, error);
            throw error;
          }
          if (!types.has(event.type)) return;
          try {
            await applyOnce(orm, consumer, handler, event);
          } catch (error) {
            if (message.attempt >= MAX_ATTEMPTS) return deadLetter(message, consumer, error);
            log.warn({ err: error, consumer, eventId: event.id, type: event.type, attempt: message.attempt }, 'event handler failed; retrying');
            throw error;
          }
        },
      }),
    );
  }
  return async () => {
    await Promise.all(stoppers.map((stop) => stop()));
  };
}

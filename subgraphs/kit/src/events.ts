import type { CloudEvent } from '@comanda/kafka';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The CloudEvents 1.0 envelope every event travels in (DESIGN.md, Events; kafka/src/envelope.ts). */
export type EventEnvelope<TData = Record<string, unknown>> = CloudEvent<TData>;

/**
 * A reaction to another subgraph's event. The runtime calls `handle` in one transaction bound
 * to the event's tenant, together with the inbox row that makes redelivery harmless; throw to
 * have it retried (and eventually dead-lettered).
 */
export interface EventHandler {
  /** a unique name within the subgraph, e.g. `order-account-on-placed` */
  name: string;
  /** full event types it reacts to */
  types: string[];
  handle: (em: EntityManager, event: EventEnvelope) => Promise<void>;
}

import { type EntityManager, recordEvent } from '@comanda/kit';
import type { CustomerRow } from './entities.ts';

/**
 * What customers publishes, all on `comanda.customers.customer.v1` keyed by the customer id.
 * Contact details (email, phone, addresses, notes) stay out of events: consumers that need them
 * read the graph, so an erasure does not have to chase copies through every topic.
 */

export interface Actor {
  tenantId: string;
  userId: string;
  traceparent: string | null;
}

const publish = (tx: EntityManager, actor: Actor, customerId: string, event: string, data: Record<string, unknown>) =>
  recordEvent(tx, 'customers', {
    aggregateType: 'customer',
    aggregateId: customerId,
    event,
    tenantId: actor.tenantId,
    traceparent: actor.traceparent,
    data,
  });

export const publishCreated = (tx: EntityManager, actor: Actor, c: CustomerRow) =>
  publish(tx, actor, c.id, 'created', { customerId: c.id, kind: c.kind, name: c.name, taxId: c.taxId });

/** `changed` names the fields that changed; the identity fields and consent are sent as they are now. */
export const publishUpdated = (tx: EntityManager, actor: Actor, c: CustomerRow, changed: string[]) =>
  publish(tx, actor, c.id, 'updated', {
    customerId: c.id,
    changed,
    kind: c.kind,
    name: c.name,
    taxId: c.taxId,
    marketingConsent: { granted: c.marketingConsent, at: c.marketingConsentAt?.toISOString() ?? null, source: c.marketingConsentSource },
  });

/** Other subgraphs re-point what they keep under `customerId` to `survivorId`. */
export const publishMerged = (tx: EntityManager, actor: Actor, merged: CustomerRow, survivorId: string) =>
  publish(tx, actor, merged.id, 'merged', { customerId: merged.id, survivorId, mergedAt: merged.mergedAt!.toISOString() });

export const publishErased = (tx: EntityManager, actor: Actor, c: CustomerRow) =>
  publish(tx, actor, c.id, 'erased', { customerId: c.id, erasedAt: c.erasedAt!.toISOString() });

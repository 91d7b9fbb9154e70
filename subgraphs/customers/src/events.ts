import { type EntityManager, recordEvent } from '@comanda/kit';
import { type Activity, spentList } from './domain/activity.ts';
import type { CustomerRow } from './entities.ts';

/**
 * What customers publishes: the customer record on `comanda.customers.customer.v1` and what the
 * customer buys on `comanda.customers.activity.v1`, both keyed by the customer id.
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

export interface ActivityChange {
  /** PURCHASE (order placed), CANCELLATION (order cancelled), MERGE (a customer's purchases moved here) */
  cause: 'PURCHASE' | 'CANCELLATION' | 'MERGE';
  orderId: string | null;
  /** MERGE: the customer whose purchases moved */
  mergedId: string | null;
  /** the store whose customer counts of today may have changed (the envelope's storeid), if any */
  storeId: string | null;
}

/**
 * The customer's purchase figures after a change. Its store makes live dashboards re-read that
 * store's metrics (customersToday, newCustomersToday); downstream systems get the figures
 * without asking. No personal data: ids, times, amounts.
 */
export const publishActivityChanged = (tx: EntityManager, actor: Actor, customerId: string, activity: Activity, change: ActivityChange) =>
  recordEvent(tx, 'customers', {
    aggregateType: 'activity',
    aggregateId: customerId,
    event: 'changed',
    tenantId: actor.tenantId,
    storeId: change.storeId,
    traceparent: actor.traceparent,
    data: {
      customerId,
      cause: change.cause,
      orderId: change.orderId,
      mergedId: change.mergedId,
      storeId: change.storeId,
      ordersCount: activity.ordersCount,
      totalSpent: spentList(activity),
      firstPurchaseAt: activity.first?.at.toISOString() ?? null,
      firstStoreId: activity.first?.storeId ?? null,
      lastPurchaseAt: activity.last?.at.toISOString() ?? null,
      lastStoreId: activity.last?.storeId ?? null,
    },
  });

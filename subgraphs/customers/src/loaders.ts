import { groupByKey, type SubgraphContext } from '@comanda/kit';
import { type Activity, NO_ACTIVITY } from './domain/activity.ts';
import type { AddressRow, ConsentChangeRow, CustomerRow } from './entities.ts';
import { activitiesByCustomerIds, customerCountsByStore, type StoreDayCounts } from './services/activity.ts';
import { UUID } from './services/common.ts';
import { addressesByCustomerIds, consentHistoryByCustomerIds, resolveCustomers } from './services/reads.ts';

/**
 * Every per-parent lookup and __resolveReference goes through a per-request DataLoader, so a
 * page of orders with their customers costs the same statements as one. Malformed ids resolve
 * to null (or []) without a query.
 */

/** A customer by id; a merged one's id gives the customer it was merged into. */
export function loadCustomer(ctx: SubgraphContext, id: string): Promise<CustomerRow | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, CustomerRow | null>('customer', async (ids) => {
      const resolved = await resolveCustomers(ctx.em, ids);
      return ids.map((i) => resolved.get(i) ?? null);
    })
    .load(id.toLowerCase());
}

export function loadAddresses(ctx: SubgraphContext, customerId: string): Promise<AddressRow[]> {
  return ctx.loaders
    .get<string, AddressRow[]>('addresses', async (ids) => groupByKey(ids, await addressesByCustomerIds(ctx.em, ids), (a) => a.customerId))
    .load(customerId);
}

export function loadConsentHistory(ctx: SubgraphContext, customerId: string): Promise<ConsentChangeRow[]> {
  return ctx.loaders
    .get<string, ConsentChangeRow[]>('consent-history', async (ids) =>
      groupByKey(ids, await consentHistoryByCustomerIds(ctx.em, ids), (c) => c.customerId),
    )
    .load(customerId);
}

/** What the customer bought (nothing yet: no orders, no spend). */
export function loadActivity(ctx: SubgraphContext, customerId: string): Promise<Activity> {
  return ctx.loaders
    .get<string, Activity>('activity', async (ids) => {
      const found = await activitiesByCustomerIds(ctx.em, ids);
      return ids.map((id) => found.get(id) ?? NO_ACTIVITY);
    })
    .load(customerId);
}

/** A store's customer counts over its day [from, to): one pair of statements per distinct day asked. */
export function loadStoreDayCounts(ctx: SubgraphContext, storeId: string, from: Date, to: Date): Promise<StoreDayCounts> {
  if (!UUID.test(storeId)) return Promise.resolve({ customers: 0, newCustomers: 0 });
  return ctx.loaders
    .get<string, StoreDayCounts>('store-day-counts', async (keys) => {
      const parsed = keys.map((k) => JSON.parse(k) as [string, string, string]);
      const days = new Map<string, string[]>();
      for (const [id, dayFrom, dayTo] of parsed) {
        const day = JSON.stringify([dayFrom, dayTo]);
        days.set(day, [...(days.get(day) ?? []), id]);
      }
      const counts = new Map<string, StoreDayCounts>();
      for (const [day, ids] of days) {
        const [dayFrom, dayTo] = JSON.parse(day) as [string, string];
        const perStore = await customerCountsByStore(ctx.em, [...new Set(ids)], new Date(dayFrom), new Date(dayTo));
        for (const [id, c] of perStore) counts.set(JSON.stringify([id, dayFrom, dayTo]), c);
      }
      return keys.map((k) => counts.get(k) ?? { customers: 0, newCustomers: 0 });
    })
    .load(JSON.stringify([storeId.toLowerCase(), from.toISOString(), to.toISOString()]));
}

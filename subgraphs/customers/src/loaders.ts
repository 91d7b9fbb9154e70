import { groupByKey, type SubgraphContext } from '@comanda/kit';
import type { AddressRow, ConsentChangeRow, CustomerRow } from './entities.ts';
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

import { byKey, Decimal, type SubgraphContext } from '@comanda/kit';
import type { CreditProfileRow, CreditReservationRow } from './entities.ts';
import { UUID } from './services/common.ts';
import { heldByCustomer, heldByStore, profilesByCustomerIds, reservationsByIds, reservationsByOrderIds } from './services/reads.ts';

/**
 * Every per-parent lookup and __resolveReference goes through a per-request DataLoader: a page of
 * 100 orders or customers costs the same statements as one. Malformed ids resolve to null (or
 * zero) without a query, so they never reach PostgreSQL's uuid parser.
 */

function one<V>(ctx: SubgraphContext, name: string, id: string, fetch: (ids: readonly string[]) => Promise<V[]>, keyOf: (row: V) => string) {
  if (!UUID.test(id)) return Promise.resolve(null);
  return ctx.loaders.get<string, V | null>(name, async (ids) => byKey(ids, await fetch(ids), keyOf)).load(id.toLowerCase());
}

export const loadProfile = (ctx: SubgraphContext, customerId: string): Promise<CreditProfileRow | null> =>
  one(
    ctx,
    'credit-profile',
    customerId,
    (ids) => profilesByCustomerIds(ctx.em, ids),
    (p) => p.customerId,
  );

export const loadReservation = (ctx: SubgraphContext, id: string): Promise<CreditReservationRow | null> =>
  one(
    ctx,
    'credit-reservation',
    id,
    (ids) => reservationsByIds(ctx.em, ids),
    (r) => r.id,
  );

export const loadReservationOfOrder = (ctx: SubgraphContext, orderId: string): Promise<CreditReservationRow | null> =>
  one(
    ctx,
    'credit-reservation-of-order',
    orderId,
    (ids) => reservationsByOrderIds(ctx.em, ids),
    (r) => r.orderId,
  );

/** What HELD reservations hold for a customer (a profile's `reserved`). */
export function loadHeld(ctx: SubgraphContext, customerId: string): Promise<Decimal> {
  return ctx.loaders
    .get<string, Decimal>('credit-held', async (ids) => {
      const held = await heldByCustomer(ctx.em, ids);
      return ids.map((id) => held.get(id) ?? new Decimal(0));
    })
    .load(customerId.toLowerCase());
}

/** HELD reservations of a store's orders in the store's currency: one statement for every store asked. */
export function loadExposure(ctx: SubgraphContext, storeId: string, currency: string): Promise<Decimal> {
  if (!UUID.test(storeId)) return Promise.resolve(new Decimal(0));
  return ctx.loaders
    .get<string, Decimal>('credit-exposure', async (keys) => {
      const parsed = keys.map((k) => JSON.parse(k) as [string, string]);
      const held = await heldByStore(ctx.em, [...new Set(parsed.map(([id]) => id))]);
      return parsed.map(([id, cur]) => held.get(id)?.get(cur) ?? new Decimal(0));
    })
    .load(JSON.stringify([storeId.toLowerCase(), currency]));
}

import { Decimal, type EntityManager } from '@comanda/kit';
import { CreditProfile, type CreditProfileRow, CreditReservation, type CreditReservationRow } from '../entities.ts';

export function profilesByCustomerIds(em: EntityManager, customerIds: readonly string[]): Promise<CreditProfileRow[]> {
  return em.find(CreditProfile, { customerId: { $in: [...customerIds] } });
}

export function reservationsByIds(em: EntityManager, ids: readonly string[]): Promise<CreditReservationRow[]> {
  return em.find(CreditReservation, { id: { $in: [...ids] } });
}

export function reservationsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<CreditReservationRow[]> {
  return em.find(CreditReservation, { orderId: { $in: [...orderIds] } });
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/**
 * What outstanding reservations (HELD or CONSUMED: open orders and unpaid invoices) hold per
 * customer, in the currency of the customer's profile. Holds are made in the profile's currency
 * and it cannot change while they are outstanding; only a merge of two profiles kept in two
 * currencies leaves holds in the other one, and those cannot be added without a rate
 * (docs/credit.md, Merged and erased customers).
 */
export async function heldByCustomer(em: EntityManager, customerIds: readonly string[]): Promise<Map<string, Decimal>> {
  if (!customerIds.length) return new Map();
  const rows = await em.execute<{ customer_id: string; held: string }[]>(
    `select r.customer_id::text as customer_id, sum(r.amount)::text as held
       from credit_reservation r join credit_profile p on p.customer_id = r.customer_id and p.currency = r.currency
      where r.state in ('HELD', 'CONSUMED') and r.customer_id in (${placeholders(customerIds)}) group by r.customer_id`,
    [...customerIds],
  );
  return new Map(rows.map((r) => [r.customer_id, new Decimal(r.held)]));
}

/** Outstanding reservations per store, then per currency. */
export async function heldByStore(em: EntityManager, storeIds: readonly string[]): Promise<Map<string, Map<string, Decimal>>> {
  if (!storeIds.length) return new Map();
  const rows = await em.execute<{ store_id: string; currency: string; held: string }[]>(
    `select store_id::text as store_id, currency, sum(amount)::text as held from credit_reservation
      where state in ('HELD', 'CONSUMED') and store_id in (${placeholders(storeIds)}) group by store_id, currency`,
    [...storeIds],
  );
  const perStore = new Map<string, Map<string, Decimal>>();
  for (const r of rows) {
    const currencies = perStore.get(r.store_id) ?? new Map<string, Decimal>();
    currencies.set(r.currency, new Decimal(r.held));
    perStore.set(r.store_id, currencies);
  }
  return perStore;
}

import { Decimal, type EntityManager } from '@comanda/kit';
import { Payment, type PaymentRow, Refund, type RefundRow } from '../entities.ts';

export function paymentsByIds(em: EntityManager, ids: readonly string[]): Promise<PaymentRow[]> {
  return em.find(Payment, { id: { $in: [...ids] } });
}

/** Oldest first: the order in which the customer paid. */
export function paymentsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<PaymentRow[]> {
  return em.find(Payment, { orderId: { $in: [...orderIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export function refundsByPaymentIds(em: EntityManager, paymentIds: readonly string[]): Promise<RefundRow[]> {
  return em.find(Refund, { paymentId: { $in: [...paymentIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * Cash in minus cash out per store within [from, to): payments by when they were captured,
 * refunds by when they were made (a refund today of yesterday's sale lowers today's figure).
 */
export async function collectedBetween(
  em: EntityManager,
  storeIds: readonly string[],
  currency: string,
  from: Date,
  to: Date,
): Promise<Map<string, Decimal>> {
  const stores = storeIds.map(() => '?').join(', ');
  const rows = await em.execute<{ store_id: string; collected: string }[]>(
    `select store_id::text as store_id, sum(amount)::text as collected from (
       select store_id, amount from payment
        where store_id in (${stores}) and currency = ? and captured_at >= ? and captured_at < ?
       union all
       select store_id, -amount from refund
        where store_id in (${stores}) and currency = ? and created_at >= ? and created_at < ?
     ) moves group by store_id`,
    [...storeIds, currency, from, to, ...storeIds, currency, from, to],
  );
  return new Map(rows.map((r) => [r.store_id, new Decimal(r.collected)]));
}

import { type Connection, Decimal, type EntityManager, pageSize, timeKeysetCursor, toConnection } from '@comanda/kit';
import type { RefundStatus } from '../domain/refund.ts';
import { Payment, type PaymentRow, Refund, type RefundRow } from '../entities.ts';
import { UUID } from './common.ts';

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
 * refunds by when the money went back (a refund today of yesterday's sale lowers today's
 * figure; one awaiting approval lowers nothing yet).
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
        where store_id in (${stores}) and currency = ? and status = 'COMPLETED' and completed_at >= ? and completed_at < ?
     ) moves group by store_id`,
    [...storeIds, currency, from, to, ...storeIds, currency, from, to],
  );
  return new Map(rows.map((r) => [r.store_id, new Decimal(r.collected)]));
}

/** A store's refunds, oldest first (an approval queue is worked from its oldest end). */
export async function refundsPage(
  em: EntityManager,
  storeId: string,
  status: RefundStatus | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<RefundRow>> {
  const limit = pageSize(first);
  const cursor = timeKeysetCursor(after);
  if (!UUID.test(storeId)) return toConnection([], limit, () => []);
  const rows = await em.find(
    Refund,
    {
      storeId,
      ...(status ? { status } : {}),
      ...(cursor ? { $or: [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }] } : {}),
    },
    { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 },
  );
  return toConnection(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
}

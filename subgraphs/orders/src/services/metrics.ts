import type { EntityManager } from '@comanda/kit';
import { UUID } from '../domain/place-order.ts';

export interface StoreMetricsRow {
  storeId: string;
  timezone: string;
  currencyCode: string;
  ordersToday: number;
  salesToday: string;
  openOrders: number;
}

/**
 * Today's figures for many stores in one statement. "Today" is the calendar day in each
 * store's own timezone, bounds computed in SQL (a DST day has 23 or 25 hours), so the
 * created_at index serves them.
 */
export async function storeMetrics(em: EntityManager, storeIds: readonly string[]): Promise<StoreMetricsRow[]> {
  const ids = storeIds.filter((id) => UUID.test(id));
  if (!ids.length) return [];
  const rows = await em.execute<
    { id: string; timezone: string; currency_code: string; orders_today: string; sales_today: string; open_orders: string }[]
  >(
    `select s.id, s.timezone, s.currency_code,
       today.orders_today, today.sales_today, open.open_orders
     from store s
     cross join lateral (
       select local_day at time zone s.timezone as day_start,
              (local_day + interval '1 day') at time zone s.timezone as day_end
       from (select date_trunc('day', now() at time zone s.timezone) as local_day) local
     ) bounds
     cross join lateral (
       select count(*) as orders_today, coalesce(sum(o.total), 0) as sales_today
       from sales_order o
       where o.store_id = s.id and o.status <> 'CANCELLED'
         and o.created_at >= bounds.day_start and o.created_at < bounds.day_end
     ) today
     cross join lateral (
       select count(*) as open_orders from sales_order o
       where o.store_id = s.id and o.status in ('PENDING', 'CONFIRMED', 'PROCESSING')
     ) open
     where s.id in (${ids.map(() => '?::uuid').join(', ')})`,
    ids,
  );
  return rows.map((r) => ({
    storeId: r.id,
    timezone: r.timezone,
    currencyCode: r.currency_code,
    ordersToday: Number(r.orders_today),
    salesToday: r.sales_today,
    openOrders: Number(r.open_orders),
  }));
}

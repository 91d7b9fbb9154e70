/** Reading orders: pages, and the batched per-parent lookups behind the DataLoaders. */
import { type Connection, type EntityManager, keysetCursor, pageSize, toConnection } from '@comanda/kit';
import type { OrderStatus } from '../domain/lifecycle.ts';
import { type OrderChannel, UUID } from '../domain/place-order.ts';
import { OrderEvent, type OrderEventRow, OrderLine, type OrderLineRow, type OrderRow, SalesOrder } from '../entities.ts';

export interface OrderFilter {
  status?: OrderStatus[] | null;
  channel?: OrderChannel[] | null;
  customerId?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

const cursorOf = (o: OrderRow) => [o.createdAt.toISOString(), o.id];

/** Newest first, keyset-paged on (createdAt, id); createdFrom is inclusive, createdTo exclusive. */
export async function findOrders(
  em: EntityManager,
  storeId: string,
  filter: OrderFilter,
  first?: number | null,
  after?: string | null,
): Promise<Connection<OrderRow>> {
  const limit = pageSize(first);
  const cursor = keysetCursor(after, 'timestamp');
  if (filter.customerId && !UUID.test(filter.customerId)) return toConnection([], limit, cursorOf);
  const where: Record<string, unknown>[] = [{ storeId }];
  if (filter.status?.length) where.push({ status: { $in: filter.status } });
  if (filter.channel?.length) where.push({ channel: { $in: filter.channel } });
  if (filter.customerId) where.push({ customerId: filter.customerId });
  if (filter.createdFrom) where.push({ createdAt: { $gte: filter.createdFrom } });
  if (filter.createdTo) where.push({ createdAt: { $lt: filter.createdTo } });
  if (cursor) {
    const createdAt = new Date(cursor[0]);
    where.push({ $or: [{ createdAt: { $lt: createdAt } }, { createdAt, id: { $lt: cursor[1] } }] });
  }
  const rows = await em.find(SalesOrder, { $and: where } as never, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
  return toConnection(rows, limit, cursorOf);
}

/**
 * One page of orders for each of many customers in one statement (Customer.orders for a whole
 * customer list), limited to the stores the caller may see.
 */
export async function customerOrderPages(
  em: EntityManager,
  customerIds: readonly string[],
  page: { first?: number | null; after?: string | null; storeIds: readonly string[] | null },
): Promise<Map<string, Connection<OrderRow>>> {
  const limit = pageSize(page.first);
  const cursor = keysetCursor(page.after, 'timestamp');
  const ids = customerIds.filter((id) => UUID.test(id));
  const storeIds = page.storeIds?.filter((id) => UUID.test(id)) ?? null;
  const pages = new Map<string, Connection<OrderRow>>();
  const rowsByCustomer = new Map<string, OrderRow[]>();
  if (ids.length && storeIds?.length !== 0) {
    const conditions = [`o.customer_id in (${ids.map(() => '?::uuid').join(', ')})`];
    const params: unknown[] = [...ids];
    if (storeIds) {
      conditions.push(`o.store_id in (${storeIds.map(() => '?::uuid').join(', ')})`);
      params.push(...storeIds);
    }
    if (cursor) {
      conditions.push('(o.created_at, o.id) < (?::timestamptz, ?::uuid)');
      params.push(...cursor);
    }
    const rows = await em.execute<Record<string, unknown>[]>(
      `select ranked.* from (
         select o.*, row_number() over (partition by o.customer_id order by o.created_at desc, o.id desc) as page_rank
         from sales_order o where ${conditions.join(' and ')}
       ) ranked where ranked.page_rank <= ? order by ranked.created_at desc, ranked.id desc`,
      [...params, limit + 1],
    );
    for (const row of rows) {
      const { page_rank: _rank, ...columns } = row;
      const order = em.map(SalesOrder, columns);
      const list = rowsByCustomer.get(order.customerId ?? '') ?? [];
      list.push(order);
      rowsByCustomer.set(order.customerId ?? '', list);
    }
  }
  for (const id of customerIds) pages.set(id, toConnection(rowsByCustomer.get(id.toLowerCase()) ?? [], limit, cursorOf));
  return pages;
}

export async function ordersByIds(em: EntityManager, ids: readonly string[]): Promise<OrderRow[]> {
  return em.find(SalesOrder, { id: { $in: [...ids] } });
}

export async function linesByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<OrderLineRow[]> {
  return em.find(OrderLine, { orderId: { $in: [...orderIds] } }, { orderBy: { orderId: 'asc', position: 'asc' } });
}

export async function eventsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<OrderEventRow[]> {
  return em.find(OrderEvent, { orderId: { $in: [...orderIds] } }, { orderBy: { orderId: 'asc', at: 'asc', id: 'asc' } });
}

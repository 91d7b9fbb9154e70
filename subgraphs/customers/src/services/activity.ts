/**
 * The purchase history and the projection per customer (domain/activity.ts) in the database.
 *
 * Locking: a customer's `customer_activity` row is its lock (made empty the first time). Every
 * change to a customer's purchases takes it first and only then asks who the purchases belong
 * to, so a merge (which takes both customers' rows) and a purchase of the merged customer never
 * interleave: the purchase either lands before the merge moves it, or sees the tombstone and
 * counts for the survivor. The same lock orders the customer's `activity.changed` events.
 */
import { Decimal, type EntityManager, tenantOf } from '@comanda/kit';
import {
  type Activity,
  addPurchase,
  type Cancellation,
  NO_ACTIVITY,
  type OrderedPurchase,
  type Purchase,
  storesTouchedToday,
  summarize,
  type Visit,
} from '../domain/activity.ts';
import { type Actor, publishActivityChanged } from '../events.ts';

interface ActivityRow {
  customer_id: string;
  orders_count: number;
  first_purchase_at: Date | string | null;
  first_store_id: string | null;
  first_order_id: string | null;
  last_purchase_at: Date | string | null;
  last_store_id: string | null;
  last_order_id: string | null;
}

interface SpendRow {
  customer_id: string;
  currency: string;
  amount: string;
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

function visit(at: Date | string | null, storeId: string | null, orderId: string | null): Visit | null {
  return at && storeId && orderId ? { at: new Date(at), storeId, orderId } : null;
}

function toActivity(row: ActivityRow | undefined, spend: SpendRow[]): Activity {
  if (!row || row.orders_count === 0) return NO_ACTIVITY;
  return {
    ordersCount: row.orders_count,
    spent: Object.fromEntries(spend.map((s) => [s.currency, new Decimal(s.amount)])),
    first: visit(row.first_purchase_at, row.first_store_id, row.first_order_id),
    last: visit(row.last_purchase_at, row.last_store_id, row.last_order_id),
  };
}

/** Locks a customer's projection and returns it. */
async function lockActivity(tx: EntityManager, customerId: string): Promise<Activity> {
  await tx.execute('insert into customer_activity (tenant_id, customer_id, orders_count) values (?, ?, 0) on conflict do nothing', [
    tenantOf(tx),
    customerId,
  ]);
  const [row] = await tx.execute<ActivityRow[]>('select * from customer_activity where customer_id = ? for update', [customerId]);
  const spend = await tx.execute<SpendRow[]>('select customer_id, currency, amount::text as amount from customer_spend where customer_id = ?', [
    customerId,
  ]);
  return toActivity(row, spend);
}

async function saveActivity(tx: EntityManager, customerId: string, activity: Activity): Promise<void> {
  const { first, last } = activity;
  await tx.execute(
    `update customer_activity set orders_count = ?, first_purchase_at = ?, first_store_id = ?, first_order_id = ?,
            last_purchase_at = ?, last_store_id = ?, last_order_id = ?, updated_at = now()
      where customer_id = ?`,
    [
      activity.ordersCount,
      first?.at ?? null,
      first?.storeId ?? null,
      first?.orderId ?? null,
      last?.at ?? null,
      last?.storeId ?? null,
      last?.orderId ?? null,
      customerId,
    ],
  );
  await tx.execute('delete from customer_spend where customer_id = ?', [customerId]);
  const spent = Object.entries(activity.spent);
  if (spent.length) {
    await tx.execute(
      `insert into customer_spend (tenant_id, customer_id, currency, amount) values ${spent.map(() => '(?, ?, ?, ?)').join(', ')}`,
      spent.flatMap(([currency, amount]) => [tenantOf(tx), customerId, currency, amount.toFixed()]),
    );
  }
}

/**
 * Locks the projection of the customer `who` names now. `who` is asked again after each lock:
 * a merge committed while we waited may have moved the purchases on.
 */
async function lockOwner(tx: EntityManager, candidate: string, who: () => Promise<string>): Promise<{ customerId: string; activity: Activity }> {
  let customerId = candidate;
  for (let hop = 0; hop < 5; hop++) {
    const activity = await lockActivity(tx, customerId);
    const owner = await who();
    if (owner === customerId) return { customerId, activity };
    customerId = owner;
  }
  throw new Error(`customer ${candidate} kept being merged while its purchase was recorded; retrying`);
}

/** The customer a purchase of `customerId` counts for: itself, or the customer it was merged into (customers keeps that one hop). */
async function survivorOf(tx: EntityManager, customerId: string): Promise<string> {
  const [row] = await tx.execute<{ merged_into_id: string | null }[]>('select merged_into_id from customer where id = ?', [customerId]);
  return row?.merged_into_id ?? customerId;
}

interface PurchaseRow {
  order_id: string;
  store_id: string;
  placed_at: Date | string;
  total: string;
  currency: string;
}

const toPurchase = (r: PurchaseRow): Purchase => ({
  orderId: r.order_id,
  storeId: r.store_id,
  placedAt: new Date(r.placed_at),
  total: new Decimal(r.total),
  currency: r.currency,
});

async function purchasesOf(tx: EntityManager, customerId: string): Promise<Purchase[]> {
  const rows = await tx.execute<PurchaseRow[]>(
    `select order_id, store_id, placed_at, total::text as total, currency from customer_purchase
      where customer_id = ? and cancelled_at is null order by placed_at, order_id`,
    [customerId],
  );
  return rows.map(toPurchase);
}

/** order.placed with a customer: a purchase. A redelivery, or an order already known as cancelled, changes nothing. */
export async function recordPurchase(tx: EntityManager, actor: Actor, purchase: OrderedPurchase): Promise<void> {
  const { customerId, activity } = await lockOwner(tx, purchase.customerId, () => survivorOf(tx, purchase.customerId));
  const inserted = await tx.execute<{ order_id: string }[]>(
    `insert into customer_purchase (tenant_id, order_id, customer_id, store_id, placed_at, total, currency)
     values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning order_id`,
    [tenantOf(tx), purchase.orderId, customerId, purchase.storeId, purchase.placedAt, purchase.total.toFixed(), purchase.currency],
  );
  if (!inserted.length) return;
  const next = addPurchase(activity, purchase);
  await saveActivity(tx, customerId, next);
  await publishActivityChanged(tx, actor, customerId, next, {
    cause: 'PURCHASE',
    orderId: purchase.orderId,
    mergedId: null,
    storeId: purchase.storeId,
  });
}

/**
 * order.cancelled: the purchase stops counting, and the customer's projection is rebuilt from
 * what is left (the cancelled order may have been the first or the last). A cancellation of an
 * order not seen yet (its placed event was dead-lettered and is replayed later) is remembered,
 * so the late placed event counts nothing.
 */
export async function cancelPurchase(tx: EntityManager, actor: Actor, cancellation: Cancellation, at: Date): Promise<void> {
  const current = async () =>
    (
      await tx.execute<{ customer_id: string; cancelled_at: Date | null }[]>(
        'select customer_id, cancelled_at from customer_purchase where order_id = ?',
        [cancellation.orderId],
      )
    )[0];
  const known = await current();
  if (!known) {
    if (!cancellation.customerId) return;
    await tx.execute(
      `insert into customer_purchase (tenant_id, order_id, customer_id, store_id, placed_at, total, currency, cancelled_at)
       values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      [
        tenantOf(tx),
        cancellation.orderId,
        cancellation.customerId,
        cancellation.storeId,
        at,
        cancellation.total.toFixed(),
        cancellation.currency,
        at,
      ],
    );
    return;
  }
  if (known.cancelled_at) return;
  const { customerId } = await lockOwner(tx, known.customer_id, async () => (await current())?.customer_id ?? known.customer_id);
  const cancelled = await tx.execute<{ order_id: string }[]>(
    'update customer_purchase set cancelled_at = ? where order_id = ? and cancelled_at is null returning order_id',
    [at, cancellation.orderId],
  );
  if (!cancelled.length) return;
  const next = summarize(await purchasesOf(tx, customerId));
  await saveActivity(tx, customerId, next);
  await publishActivityChanged(tx, actor, customerId, next, {
    cause: 'CANCELLATION',
    orderId: cancellation.orderId,
    mergedId: null,
    storeId: cancellation.storeId,
  });
}

/**
 * Part of mergeCustomers (both customer rows are locked): the merged customer's purchases count
 * for the survivor from now on, cancelled ones included (they are history). One
 * `activity.changed` per store whose "today" the merge may change, so live dashboards re-read.
 */
export async function moveActivity(tx: EntityManager, actor: Actor, mergedId: string, survivorId: string, now: Date): Promise<void> {
  for (const id of [mergedId, survivorId].sort()) await lockActivity(tx, id);
  const moved = await tx.execute<{ order_id: string }[]>('update customer_purchase set customer_id = ? where customer_id = ? returning order_id', [
    survivorId,
    mergedId,
  ]);
  if (!moved.length) return;
  const purchases = await purchasesOf(tx, survivorId);
  const next = summarize(purchases);
  await saveActivity(tx, survivorId, next);
  await saveActivity(tx, mergedId, NO_ACTIVITY);
  const stores = storesTouchedToday(purchases, now);
  for (const storeId of stores.length ? stores : [null]) {
    await publishActivityChanged(tx, actor, survivorId, next, { cause: 'MERGE', orderId: null, mergedId, storeId });
  }
}

// --- reads ----------------------------------------------------------------------------------

/** The projection of each customer asked (customers without purchases are left out). */
export async function activitiesByCustomerIds(em: EntityManager, ids: readonly string[]): Promise<Map<string, Activity>> {
  if (!ids.length) return new Map();
  const rows = await em.execute<ActivityRow[]>(`select * from customer_activity where orders_count > 0 and customer_id in (${placeholders(ids)})`, [
    ...ids,
  ]);
  if (!rows.length) return new Map();
  const spend = await em.execute<SpendRow[]>(
    `select customer_id, currency, amount::text as amount from customer_spend where customer_id in (${placeholders(rows)})`,
    rows.map((r) => r.customer_id),
  );
  return new Map(
    rows.map((r) => [
      r.customer_id,
      toActivity(
        r,
        spend.filter((s) => s.customer_id === r.customer_id),
      ),
    ]),
  );
}

export interface StoreDayCounts {
  /** distinct customers with a purchase in the interval */
  customers: number;
  /** customers whose first purchase ever was in the interval, at this store */
  newCustomers: number;
}

/** Customer counts of stores over one interval [from, to) (a store's day): two statements for any number of stores. */
export async function customerCountsByStore(
  em: EntityManager,
  storeIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, StoreDayCounts>> {
  const counts = new Map<string, StoreDayCounts>(storeIds.map((id) => [id, { customers: 0, newCustomers: 0 }]));
  if (!storeIds.length) return counts;
  const buyers = await em.execute<{ store_id: string; n: number }[]>(
    `select store_id::text as store_id, count(distinct customer_id)::int as n from customer_purchase
      where cancelled_at is null and store_id in (${placeholders(storeIds)}) and placed_at >= ? and placed_at < ?
      group by store_id`,
    [...storeIds, from, to],
  );
  const firsts = await em.execute<{ store_id: string; n: number }[]>(
    `select first_store_id::text as store_id, count(*)::int as n from customer_activity
      where orders_count > 0 and first_store_id in (${placeholders(storeIds)}) and first_purchase_at >= ? and first_purchase_at < ?
      group by first_store_id`,
    [...storeIds, from, to],
  );
  for (const r of buyers) counts.get(r.store_id)!.customers = r.n;
  for (const r of firsts) counts.get(r.store_id)!.newCustomers = r.n;
  return counts;
}

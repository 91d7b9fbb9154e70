/**
 * What a customer buys, learned from orders' events (never by asking orders): the purchase
 * history behind `Customer.stats`, the behaviour filters of the search and the customer counts
 * of StoreMetrics. Pure: the services read and write the rows (services/activity.ts).
 *
 * A purchase is an order placed with a customer; a cancelled order is no purchase (it leaves
 * the count, the spend and, when it was one, the first or last purchase), as orders leaves it
 * out of `ordersToday`. Spend is the order total at placement, per currency: orders keep their
 * own currency and nothing here converts.
 */
import { Decimal, DomainError, isUuid, type UserError, userError } from '@comanda/kit';

export interface Purchase {
  orderId: string;
  storeId: string;
  placedAt: Date;
  total: Decimal;
  currency: string;
}

export interface Visit {
  at: Date;
  storeId: string;
  orderId: string;
}

/** The projection per customer; `spent` is keyed by currency. */
export interface Activity {
  ordersCount: number;
  spent: Readonly<Record<string, Decimal>>;
  first: Visit | null;
  last: Visit | null;
}

export const NO_ACTIVITY: Activity = { ordersCount: 0, spent: {}, first: null, last: null };

/** Earlier in time, then by order id: two purchases at the same instant still have one first. */
function before(a: Visit, b: Visit): boolean {
  const dt = a.at.getTime() - b.at.getTime();
  return dt < 0 || (dt === 0 && a.orderId < b.orderId);
}

/** Adds one purchase; purchases may come in any order (events of different orders are not ordered). */
export function addPurchase(activity: Activity, purchase: Purchase): Activity {
  const visit: Visit = { at: purchase.placedAt, storeId: purchase.storeId, orderId: purchase.orderId };
  const spent = { ...activity.spent, [purchase.currency]: (activity.spent[purchase.currency] ?? new Decimal(0)).plus(purchase.total) };
  return {
    ordersCount: activity.ordersCount + 1,
    spent,
    first: !activity.first || before(visit, activity.first) ? visit : activity.first,
    last: !activity.last || before(activity.last, visit) ? visit : activity.last,
  };
}

/** The projection of a set of purchases: after a cancellation or a merge it is rebuilt from them. */
export function summarize(purchases: readonly Purchase[]): Activity {
  return purchases.reduce(addPurchase, NO_ACTIVITY);
}

/** Amounts as they travel (events, GraphQL): currencies in alphabetical order, 2 decimals. */
export function spentList(activity: Activity): { amount: string; currency: string }[] {
  return Object.keys(activity.spent)
    .sort()
    .map((currency) => ({ currency, amount: activity.spent[currency]!.toFixed(2) }));
}

/**
 * Any day in any timezone (UTC-12 to UTC+14) lies within the last 48 hours, so these are the
 * stores whose "today" a merge of these purchases can change (customersToday counts two
 * customers as one afterwards, newCustomersToday may lose one whose first purchase becomes an
 * older one).
 */
export const TODAY_HORIZON_MS = 48 * 60 * 60 * 1000;

export function storesTouchedToday(purchases: readonly Purchase[], now: Date): string[] {
  const since = now.getTime() - TODAY_HORIZON_MS;
  return [...new Set(purchases.filter((p) => p.placedAt.getTime() >= since).map((p) => p.storeId))].sort();
}

// --- orders' events -------------------------------------------------------------------------

export type OrderedPurchase = Purchase & { customerId: string };

export interface Cancellation {
  orderId: string;
  customerId: string | null;
  storeId: string;
  total: Decimal;
  currency: string;
}

const MONEY = /^\d{1,14}(\.\d{1,4})?$/;
const CURRENCY = /^[A-Z]{3}$/;

function field<T>(data: Record<string, unknown>, name: string, ok: (value: unknown) => value is T): T {
  const value = data[name];
  if (!ok(value)) throw new Error(`data.${name} is missing or malformed: ${JSON.stringify(value)}`);
  return value;
}
const isMoney = (v: unknown): v is string => typeof v === 'string' && MONEY.test(v);
const isCurrency = (v: unknown): v is string => typeof v === 'string' && CURRENCY.test(v);
const isInstant = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(new Date(v).getTime());
const isCustomer = (v: unknown): v is string | null => v === null || v === undefined || isUuid(v);

/** The purchase an `order.placed` records, or null for an order without a customer. Throws on a malformed event (dead-lettered). */
export function purchaseOfPlaced(data: Record<string, unknown>): OrderedPurchase | null {
  const customerId = field(data, 'customerId', isCustomer);
  const purchase = {
    orderId: field(data, 'orderId', isUuid).toLowerCase(),
    storeId: field(data, 'storeId', isUuid).toLowerCase(),
    placedAt: new Date(field(data, 'createdAt', isInstant)),
    total: new Decimal(field(data, 'total', isMoney)),
    currency: field(data, 'currency', isCurrency),
  };
  return customerId ? { ...purchase, customerId: customerId.toLowerCase() } : null;
}

export function cancellationOf(data: Record<string, unknown>): Cancellation {
  const customerId = field(data, 'customerId', isCustomer);
  return {
    orderId: field(data, 'orderId', isUuid).toLowerCase(),
    customerId: customerId ? customerId.toLowerCase() : null,
    storeId: field(data, 'storeId', isUuid).toLowerCase(),
    total: new Decimal(field(data, 'total', isMoney)),
    currency: field(data, 'currency', isCurrency),
  };
}

// --- the search's behaviour filters ---------------------------------------------------------

export interface ActivityFilterInput {
  minOrders?: number | null;
  minSpent?: { amount: string; currencyCode: string } | null;
  lastPurchaseAfter?: Date | null;
  lastPurchaseBefore?: Date | null;
}

export interface ActivityFilter {
  minOrders: number | null;
  minSpent: { amount: Decimal; currency: string } | null;
  lastPurchaseAfter: Date | null;
  lastPurchaseBefore: Date | null;
}

const MAX_AMOUNT = new Decimal('1e14');

/** Checks the behaviour filters; every problem at once (`INVALID_FILTER`, a BAD_USER_INPUT error with the field). */
export function parseActivityFilter(input: ActivityFilterInput): ActivityFilter {
  const errors: UserError[] = [];
  const minOrders = input.minOrders ?? null;
  if (minOrders !== null && minOrders < 0) errors.push(userError('INVALID_FILTER', 'minOrders cannot be negative', ['filter', 'minOrders']));
  let minSpent: ActivityFilter['minSpent'] = null;
  if (input.minSpent) {
    const amount = new Decimal(input.minSpent.amount);
    if (amount.isNegative() || amount.decimalPlaces() > 2 || amount.gte(MAX_AMOUNT)) {
      errors.push(userError('INVALID_FILTER', 'minSpent is an amount of at least 0 with at most 2 decimals', ['filter', 'minSpent', 'amount']));
    } else {
      minSpent = { amount, currency: input.minSpent.currencyCode };
    }
  }
  const after = input.lastPurchaseAfter ?? null;
  const beforeTime = input.lastPurchaseBefore ?? null;
  if (after && beforeTime && after.getTime() >= beforeTime.getTime()) {
    errors.push(userError('INVALID_FILTER', 'lastPurchaseAfter must be earlier than lastPurchaseBefore', ['filter', 'lastPurchaseBefore']));
  }
  if (errors.length) throw DomainError.many(errors);
  // "at least 0" is everyone, also customers who never bought
  return {
    minOrders: minOrders ? minOrders : null,
    minSpent: minSpent?.amount.isZero() ? null : minSpent,
    lastPurchaseAfter: after,
    lastPurchaseBefore: beforeTime,
  };
}

export const hasActivityFilter = (f: ActivityFilter): boolean =>
  f.minOrders !== null || f.minSpent !== null || f.lastPurchaseAfter !== null || f.lastPurchaseBefore !== null;

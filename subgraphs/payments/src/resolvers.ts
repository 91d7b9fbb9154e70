import {
  byKey,
  calendarDay,
  canUseStore,
  groupByKey,
  money,
  type Resolvers,
  requireRole,
  requireStore,
  STAFF,
  type SubgraphContext,
} from '@comanda/kit';
import { summarize } from './domain/payment.ts';
import type { RefundStatus } from './domain/refund.ts';
import type { PaymentRow, RefundRow } from './entities.ts';
import type { Providers } from './providers/index.ts';
import { UUID } from './services/common.ts';
import { collectedBetween, paymentsByIds, paymentsByOrderIds, refundsByPaymentIds, refundsPage } from './services/reads.ts';
import { type RecordPaymentInput, recordPayment } from './services/record-payment.ts';
import { type DecideRefundInput, decideRefund, type RefundPaymentInput, refundPayment } from './services/refund-payment.ts';

interface MoneyValue {
  amount: string;
  currencyCode: string;
}
/** The representation the gateway sends, with `total` from orders where a field @requires it. */
interface OrderRef {
  id: string;
  total?: MoneyValue;
}
interface StoreMetricsRef {
  storeId: string;
  timezone: string;
  currencyCode: string;
}

function loadPayment(ctx: SubgraphContext, id: string): Promise<PaymentRow | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return ctx.loaders.get<string, PaymentRow | null>('payment', async (ids) => byKey(ids, await paymentsByIds(ctx.em, ids), (p) => p.id)).load(id);
}

/**
 * The parent order was authorized by its owner; the store scope is checked again here because
 * a store-bound token (a cashier, a print daemon) must not see another store's money.
 */
async function paymentsOfOrder(ctx: SubgraphContext, orderId: string): Promise<PaymentRow[]> {
  if (!UUID.test(orderId)) return [];
  const rows = await ctx.loaders
    .get<string, PaymentRow[]>('payments-of-order', async (ids) => groupByKey(ids, await paymentsByOrderIds(ctx.em, ids), (p) => p.orderId))
    .load(orderId);
  for (const p of rows) requireStore(ctx.identity, p.storeId);
  return rows;
}

function refundsOfPayment(ctx: SubgraphContext, paymentId: string): Promise<RefundRow[]> {
  return ctx.loaders
    .get<string, RefundRow[]>('refunds-of-payment', async (ids) => groupByKey(ids, await refundsByPaymentIds(ctx.em, ids), (r) => r.paymentId))
    .load(paymentId);
}

/** One query per distinct day and currency (stores in one timezone share the day). */
function collectedToday(ctx: SubgraphContext, metrics: StoreMetricsRef): Promise<string> {
  const { from, to } = calendarDay(new Date(), metrics.timezone);
  const key = JSON.stringify([metrics.storeId, metrics.currencyCode, from.toISOString(), to.toISOString()]);
  return ctx.loaders
    .get<string, string>('collected-today', async (keys) => {
      const parsed = keys.map((k) => JSON.parse(k) as [string, string, string, string]);
      const groups = new Map<string, [string, string, string, string][]>();
      for (const p of parsed) {
        const group = JSON.stringify(p.slice(1));
        groups.set(group, [...(groups.get(group) ?? []), p]);
      }
      const sums = new Map<string, string>();
      for (const members of groups.values()) {
        const [, currency, dayFrom, dayTo] = members[0]!;
        const collected = await collectedBetween(
          ctx.em,
          members.map((m) => m[0]),
          currency,
          new Date(dayFrom),
          new Date(dayTo),
        );
        for (const m of members) sums.set(JSON.stringify(m), collected.get(m[0])?.toFixed(2) ?? '0.00');
      }
      return parsed.map((p) => sums.get(JSON.stringify(p)) ?? '0.00');
    })
    .load(key);
}

async function orderSummary(ctx: SubgraphContext, order: OrderRef) {
  const total = order.total;
  if (!total) throw new Error('Order.total was not provided: the field must be declared with @requires');
  return { summary: summarize(total.amount, await paymentsOfOrder(ctx, order.id)), currency: total.currencyCode };
}

/** Who sees refunds (and the approval queue): the people who decide on them and the books. */
const REFUND_READERS = ['owner', 'manager', 'accountant'] as const;

export function createResolvers(providers: Providers): Resolvers {
  const deps = (ctx: SubgraphContext) => ({ providers, log: ctx.log });
  return {
    Query: {
      payment: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, ...STAFF);
        const payment = await loadPayment(ctx, args.id);
        if (payment) requireStore(ctx.identity, payment.storeId);
        return payment;
      },
      refunds: (
        _: unknown,
        args: { storeId: string; status?: RefundStatus | null; first?: number | null; after?: string | null },
        ctx: SubgraphContext,
      ) => {
        requireRole(ctx.identity, ...REFUND_READERS);
        requireStore(ctx.identity, args.storeId);
        return refundsPage(ctx.em, args.storeId, args.status, args.first, args.after);
      },
    },
    Mutation: {
      recordPayment: (_: unknown, args: { input: RecordPaymentInput }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, 'owner', 'manager', 'cashier');
        return recordPayment(ctx.em, ctx.identity, args.input, deps(ctx));
      },
      refundPayment: (_: unknown, args: { input: RefundPaymentInput }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, 'owner', 'manager');
        return refundPayment(ctx.em, ctx.identity, args.input, deps(ctx));
      },
      approveRefund: (_: unknown, args: { input: DecideRefundInput }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, 'owner', 'manager');
        return decideRefund(ctx.em, ctx.identity, 'APPROVE', args.input, deps(ctx));
      },
      rejectRefund: (_: unknown, args: { input: DecideRefundInput }, ctx: SubgraphContext) => {
        requireRole(ctx.identity, 'owner', 'manager');
        return decideRefund(ctx.em, ctx.identity, 'REJECT', args.input, deps(ctx));
      },
    },
    Payment: {
      __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => {
        const payment = await loadPayment(ctx, ref.id);
        return payment && canUseStore(ctx.identity, payment.storeId) ? payment : null;
      },
      order: (p: PaymentRow) => ({ id: p.orderId }),
      amount: (p: PaymentRow) => money(p.amount, p.currency),
      change: (p: PaymentRow) => (p.change == null ? null : money(p.change, p.currency)),
      tendered: (p: PaymentRow) => (p.tendered == null ? null : money(p.tendered, p.currency)),
      refundedAmount: (p: PaymentRow) => money(p.refundedAmount, p.currency),
      refunds: (p: PaymentRow, _: unknown, ctx: SubgraphContext) => refundsOfPayment(ctx, p.id),
    },
    Refund: {
      payment: (r: RefundRow, _: unknown, ctx: SubgraphContext) => loadPayment(ctx, r.paymentId),
      amount: (r: RefundRow) => money(r.amount, r.currency),
      requestedBy: (r: RefundRow) => r.createdBy,
    },
    Order: {
      payments: (order: OrderRef, _: unknown, ctx: SubgraphContext) => paymentsOfOrder(ctx, order.id),
      paymentStatus: async (order: OrderRef, _: unknown, ctx: SubgraphContext) => (await orderSummary(ctx, order)).summary.status,
      amountPaid: async (order: OrderRef, _: unknown, ctx: SubgraphContext) => {
        const { summary, currency } = await orderSummary(ctx, order);
        return money(summary.amountPaid, currency);
      },
      balanceDue: async (order: OrderRef, _: unknown, ctx: SubgraphContext) => {
        const { summary, currency } = await orderSummary(ctx, order);
        return money(summary.balanceDue, currency);
      },
    },
    StoreMetrics: {
      collectedToday: async (metrics: StoreMetricsRef, _: unknown, ctx: SubgraphContext) => {
        requireRole(ctx.identity, ...STAFF);
        requireStore(ctx.identity, metrics.storeId);
        return money(await collectedToday(ctx, metrics), metrics.currencyCode);
      },
    },
  };
}

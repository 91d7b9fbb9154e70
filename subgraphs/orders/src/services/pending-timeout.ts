/**
 * The background job that cancels unpaid pending orders (domain/pending-timeout.ts). Every
 * `intervalMs` it lists expired candidates of every tenant (the one cross-tenant read, a
 * SECURITY DEFINER function that returns ids only) and cancels each in a transaction bound to
 * its tenant.
 *
 * Safe with several instances: each order is taken with `for update skip locked`, so an order
 * another instance is cancelling is skipped, not waited for, and the rule is checked again
 * under the lock, so an order that was paid, cancelled or moved on in between is left alone.
 * A cancellation is also a no-op on an order that is already cancelled (lifecycle.ts).
 */
import { type Logger, runPeriodically, tenantEm } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrderStatus } from '../domain/lifecycle.ts';
import { TIMEOUT_ACTOR, TIMEOUT_REASON, timesOut } from '../domain/pending-timeout.ts';
import type { OrderChannel } from '../domain/place-order.ts';
import { transitionOrder } from './order-lifecycle.ts';

export interface TimeoutOptions {
  intervalMs: number;
  /** orders per pass, oldest first */
  batchSize: number;
}

export const DEFAULT_TIMEOUTS: TimeoutOptions = { intervalMs: 30_000, batchSize: 100 };

/** COMANDA_ORDERS_TIMEOUT_INTERVAL_MS tunes how often the job looks. */
export function timeoutOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TimeoutOptions {
  const interval = Number(env.COMANDA_ORDERS_TIMEOUT_INTERVAL_MS);
  return { ...DEFAULT_TIMEOUTS, intervalMs: Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_TIMEOUTS.intervalMs };
}

interface LockedOrder {
  status: OrderStatus;
  channel: OrderChannel;
  pay_on_account: boolean;
  payment_seen_at: Date | string | null;
  created_at: Date | string;
  pending_timeout_minutes: number | null;
}

/** One pass over every tenant; returns how many orders this pass cancelled. */
export async function expirePendingOnce(orm: MikroORM, log: Logger, options: TimeoutOptions, now: () => Date = () => new Date()): Promise<number> {
  const candidates = await orm.em
    .fork()
    .execute<{ tenant_id: string; order_id: string }[]>('select tenant_id, order_id from expired_pending_orders(?)', [options.batchSize]);
  let cancelled = 0;
  for (const { tenant_id: tenantId, order_id: orderId } of candidates) {
    const done = await tenantEm(orm, tenantId).transactional(async (tx) => {
      const [order] = await tx.execute<LockedOrder[]>(
        `select o.status, o.channel, o.pay_on_account, o.payment_seen_at, o.created_at, s.pending_timeout_minutes
           from sales_order o join store s on s.id = o.store_id
          where o.id = ? for update of o skip locked`,
        [orderId],
      );
      if (!order) return false;
      const facts = {
        status: order.status,
        channel: order.channel,
        payOnAccount: order.pay_on_account,
        paymentSeenAt: order.payment_seen_at === null ? null : new Date(order.payment_seen_at),
        createdAt: new Date(order.created_at),
      };
      if (!timesOut(facts, order.pending_timeout_minutes, now())) return false;
      return (await transitionOrder(tx, { orderId, to: 'CANCELLED', reason: TIMEOUT_REASON, actor: TIMEOUT_ACTOR })).changed;
    });
    if (done) cancelled++;
  }
  if (cancelled) log.info({ cancelled }, 'pending orders timed out');
  return cancelled;
}

/** Starts the loop; the stopper waits for a pass in progress. */
export function startPendingTimeouts(orm: MikroORM, log: Logger, options: TimeoutOptions): () => Promise<void> {
  return runPeriodically(() => expirePendingOnce(orm, log, options), { intervalMs: options.intervalMs, log, what: 'pending order timeout pass' });
}

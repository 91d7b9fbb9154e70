/**
 * Pending orders time out (DOMAIN.md): an unpaid PENDING order from a web shop or a mobile app
 * is cancelled with reason TIMEOUT once its store's window has passed (30 minutes unless the
 * store says otherwise; a store may say never).
 *
 * Never timed out: B2B and on-account orders (credit decides them), POS orders (the till may be
 * offline and replay a sale hours later: its payment follows it), marketplace orders (the
 * marketplace collects the money and confirms on its own schedule), and any order on which a
 * payment was started (pending, authorized or captured: a bank transfer on its way or a card
 * whose webhook is late is left to settle).
 *
 * The background job finds candidates with SQL that says the same (migration 0002,
 * expired_pending_orders) and re-checks each with `timesOut` under the order's row lock.
 */
import { type UserError, userError } from '@comanda/kit';
import type { OrderStatus } from './lifecycle.ts';
import type { OrderChannel } from './place-order.ts';

export const TIMEOUT_CHANNELS: readonly OrderChannel[] = ['WEB', 'MOBILE'];
export const DEFAULT_TIMEOUT_MINUTES = 30;
/** a week: a longer wait is not a timeout any more but a forgotten order */
export const MAX_TIMEOUT_MINUTES = 7 * 24 * 60;
export const TIMEOUT_REASON = 'TIMEOUT';
export const TIMEOUT_ACTOR = 'system:timeout';

export interface TimeoutFacts {
  status: OrderStatus;
  channel: OrderChannel;
  payOnAccount: boolean;
  /** when orders first heard of a payment on it (payments' pending, authorized or captured event) */
  paymentSeenAt: Date | null;
  createdAt: Date;
}

/** Whether the order is cancelled for want of payment at `now`, given its store's window (null: never). */
export function timesOut(order: TimeoutFacts, windowMinutes: number | null, now: Date): boolean {
  if (windowMinutes === null || order.status !== 'PENDING' || order.payOnAccount || order.paymentSeenAt) return false;
  if (!TIMEOUT_CHANNELS.includes(order.channel)) return false;
  return now.getTime() - order.createdAt.getTime() > windowMinutes * 60_000;
}

export function checkTimeoutMinutes(minutes: number | null, field: string[]): UserError | null {
  if (minutes === null) return null;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_TIMEOUT_MINUTES) {
    return userError('INVALID_TIMEOUT', `the pending order window is 1 to ${MAX_TIMEOUT_MINUTES} minutes, or null for never`, field);
  }
  return null;
}

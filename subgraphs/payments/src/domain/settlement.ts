import type { ProviderPaymentStatus } from '../providers/provider.ts';
import type { PaymentState } from './payment.ts';

/**
 * What the provider's word (a webhook, or the poller's status call) does to one of our payments.
 * Both paths apply it, in either order and any number of times: only a PENDING payment moves, so
 * a duplicate or late delivery changes nothing.
 */
export type Settlement =
  | { kind: 'settle'; state: 'CAPTURED' | 'FAILED' }
  /** the customer has not decided yet */
  | { kind: 'wait' }
  /** our books already agree */
  | { kind: 'settled' }
  /** the provider says otherwise than our books (e.g. captured money we marked failed): reconcile by hand */
  | { kind: 'conflict' };

/** A provider with no record of a payment after this long is taken at its word: nothing was paid. */
export const UNKNOWN_GIVE_UP_MS = 60 * 60 * 1000;

function verdictOf(status: ProviderPaymentStatus, pendingForMs: number): 'CAPTURED' | 'FAILED' | null {
  switch (status) {
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
      return 'CAPTURED';
    case 'failed':
    case 'cancelled':
      return 'FAILED';
    case 'unknown':
      return pendingForMs >= UNKNOWN_GIVE_UP_MS ? 'FAILED' : null;
    default:
      return null;
  }
}

const AGREES: Record<'CAPTURED' | 'FAILED', ReadonlySet<PaymentState>> = {
  CAPTURED: new Set(['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED']),
  FAILED: new Set(['FAILED', 'CANCELLED']),
};

export function settlementOf(state: PaymentState, status: ProviderPaymentStatus, pendingForMs: number): Settlement {
  if (state === 'PENDING') {
    const verdict = verdictOf(status, pendingForMs);
    return verdict ? { kind: 'settle', state: verdict } : { kind: 'wait' };
  }
  const verdict = verdictOf(status, 0);
  return !verdict || AGREES[verdict].has(state) ? { kind: 'settled' } : { kind: 'conflict' };
}

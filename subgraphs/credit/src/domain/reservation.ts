import { Decimal } from '@comanda/kit';
import type { RiskTier } from './scoring.ts';

export type ReservationState = 'HELD' | 'RELEASED' | 'CONSUMED' | 'REJECTED';

/** Why a reservation was refused: stable codes, stored on the row and sent in the event. */
export type RejectionReason = 'NO_CREDIT_PROFILE' | 'CREDIT_BLOCKED' | 'CURRENCY_MISMATCH' | 'OVER_LIMIT';

export function availableCredit(limit: Decimal | string, reserved: Decimal | string): Decimal {
  return Decimal.max(new Decimal(limit).minus(reserved), 0);
}

export interface ProfileStanding {
  tier: RiskTier;
  limit: string;
  currency: string;
}

export type ReservationDecision = { state: 'HELD'; reason: null } | { state: 'REJECTED'; reason: RejectionReason };

/**
 * Holds the amount when it fits in what is available, to the cent: `reserved` must be the sum
 * of HELD reservations read under the profile's row lock, or concurrent holds could overshoot.
 */
export function decideReservation(
  profile: ProfileStanding | null,
  reserved: Decimal | string,
  amount: Decimal | string,
  currency: string,
): ReservationDecision {
  if (!profile) return { state: 'REJECTED', reason: 'NO_CREDIT_PROFILE' };
  if (profile.tier === 'BLOCKED') return { state: 'REJECTED', reason: 'CREDIT_BLOCKED' };
  if (profile.currency !== currency) return { state: 'REJECTED', reason: 'CURRENCY_MISMATCH' };
  if (new Decimal(amount).gt(availableCredit(profile.limit, reserved))) return { state: 'REJECTED', reason: 'OVER_LIMIT' };
  return { state: 'HELD', reason: null };
}

/**
 * Invoicing consumes a hold (the amount is now an unpaid receivable); payment in full or
 * cancellation releases it, held or consumed. Any other request is a no-op, because the events
 * that cause them may arrive in any order and more than once.
 */
const MOVES: Readonly<Record<ReservationState, readonly ReservationState[]>> = {
  HELD: ['RELEASED', 'CONSUMED'],
  RELEASED: [],
  CONSUMED: ['RELEASED'],
  REJECTED: [],
};

/** What counts against the limit: open orders on account and their unpaid invoices. */
export const OUTSTANDING_STATES: readonly ReservationState[] = ['HELD', 'CONSUMED'];

export function canMove(from: ReservationState, to: ReservationState): boolean {
  return MOVES[from].includes(to);
}

import { Decimal } from '@comanda/kit';
import type { RiskTier } from './scoring.ts';

/**
 * What credit does when the customers subgraph merges or erases a customer (its
 * `customer.merged` and `customer.erased` events). Pure; services/customer-changes.ts applies it.
 *
 * Merge: the duplicate's reservations (held, consumed, released, rejected: they are the
 * history of orders placed under its id) count for the survivor from then on, and the survivor
 * keeps one profile. When both had one it keeps the more cautious: a merge is housekeeping and
 * must never hand anyone more credit than a reviewer gave them, so a BLOCKED duplicate blocks
 * the survivor until someone recalculates it.
 */

export interface MergingProfile {
  tier: RiskTier;
  limit: string;
  currency: string;
}

const TIER_ORDER: readonly RiskTier[] = ['BLOCKED', 'LOW', 'MEDIUM', 'HIGH', 'PREMIUM'];

/**
 * Which profile the survivor keeps: its own, the merged customer's, or none (neither had one).
 * The lower tier wins; in the same tier and currency the lower limit; otherwise (a tie, or
 * limits in two currencies that cannot be compared) the survivor's own.
 */
export function profileKeptOnMerge(survivor: MergingProfile | null, merged: MergingProfile | null): 'survivor' | 'merged' | null {
  if (!survivor) return merged ? 'merged' : null;
  if (!merged) return 'survivor';
  const rank = TIER_ORDER.indexOf(merged.tier) - TIER_ORDER.indexOf(survivor.tier);
  if (rank !== 0) return rank < 0 ? 'merged' : 'survivor';
  if (merged.currency === survivor.currency && new Decimal(merged.limit).lt(survivor.limit)) return 'merged';
  return 'survivor';
}

/** Merges are recorded as links; links may arrive out of order (events of two customers are not ordered), so a chain is followed. */
export const MAX_MERGE_HOPS = 10;

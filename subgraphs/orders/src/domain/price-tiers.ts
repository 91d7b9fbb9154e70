/**
 * Which price a sale uses (DOMAIN.md: the server's price list wins). A variant has its list
 * price and may have quantity tiers ("from 10 pieces: 8.50"): together they are the default
 * price list, for everyone. A segment price list (WHOLESALE, STAFF, ...) has its own tiers per
 * variant, for the customers of that segment.
 *
 * The rule: the most specific list that has a tier reached by the quantity wins, and within a
 * list the highest tier reached. So a segment list that only sets "from 50" leaves smaller
 * quantities at the default prices. The quantity is the variant's total in the order, so the
 * same article scanned on two lines earns the same tier as one line with both.
 */
import { Decimal, type UserError, userError } from '@comanda/kit';
import { checkPrice } from './catalog.ts';

export interface PriceTier {
  minQuantity: Decimal;
  unitPrice: Decimal;
}

export interface TierInput {
  minQuantity: string;
  unitPrice: string;
}

export const MAX_TIERS = 20;
const MAX_QUANTITY = new Decimal(1_000_000);
const DECIMAL = /^\d+(\.\d+)?$/;

/** A list's tiers for one variant, checked; minimum quantities above 0 (3 decimals: weighed goods) and distinct. */
export function validateTiers(tiers: readonly TierInput[], field: string[]): { tiers: PriceTier[]; errors: UserError[] } {
  const errors: UserError[] = [];
  if (tiers.length > MAX_TIERS) errors.push(userError('TOO_MANY_TIERS', `a price has at most ${MAX_TIERS} quantity tiers`, field));
  const seen = new Set<string>();
  const valid: PriceTier[] = [];
  tiers.forEach((tier, i) => {
    const at = [...field, String(i)];
    const text = tier.minQuantity.trim();
    const minQuantity = DECIMAL.test(text) ? new Decimal(text) : null;
    if (!minQuantity || minQuantity.lte(0) || minQuantity.gt(MAX_QUANTITY) || minQuantity.decimalPlaces() > 3) {
      errors.push(
        userError('INVALID_QUANTITY', 'a tier starts at a quantity above 0, at most 1000000, with at most 3 decimals', [...at, 'minQuantity']),
      );
      return;
    }
    const priceError = checkPrice(tier.unitPrice, [...at, 'unitPrice']);
    if (priceError) {
      errors.push(priceError);
      return;
    }
    if (seen.has(minQuantity.toFixed())) {
      errors.push(userError('DUPLICATE_TIER', `two tiers start at ${minQuantity.toFixed()}`, [...at, 'minQuantity']));
      return;
    }
    seen.add(minQuantity.toFixed());
    valid.push({ minQuantity, unitPrice: new Decimal(tier.unitPrice.trim()) });
  });
  return { tiers: valid.sort((a, b) => a.minQuantity.comparedTo(b.minQuantity)), errors };
}

/** The highest tier whose minimum the quantity reaches, if any. */
export function tierFor(tiers: readonly PriceTier[], quantity: Decimal): PriceTier | null {
  let best: PriceTier | null = null;
  for (const tier of tiers) {
    if (tier.minQuantity.lte(quantity) && (!best || tier.minQuantity.gt(best.minQuantity))) best = tier;
  }
  return best;
}

export type PriceSource = 'LIST' | 'TIER' | 'SEGMENT';

export interface VariantPricing {
  listPrice: Decimal;
  /** the variant's own tiers (the default list) */
  tiers: readonly PriceTier[];
  /** the customer's segment list and its tiers for this variant, when the customer has one */
  segment: { priceListId: string; tiers: readonly PriceTier[] } | null;
}

export interface ResolvedPrice {
  unitPrice: Decimal;
  source: PriceSource;
  /** the segment list that priced it */
  priceListId: string | null;
}

export function resolveUnitPrice(pricing: VariantPricing, quantity: Decimal): ResolvedPrice {
  const segmentTier = pricing.segment ? tierFor(pricing.segment.tiers, quantity) : null;
  if (segmentTier && pricing.segment) return { unitPrice: segmentTier.unitPrice, source: 'SEGMENT', priceListId: pricing.segment.priceListId };
  const tier = tierFor(pricing.tiers, quantity);
  if (tier) return { unitPrice: tier.unitPrice, source: 'TIER', priceListId: null };
  return { unitPrice: pricing.listPrice, source: 'LIST', priceListId: null };
}

/** Each variant's total quantity over the order's lines: the quantity its tier is chosen by. */
export function quantitiesByVariant(lines: readonly { variantId: string; quantity: Decimal }[]): Map<string, Decimal> {
  const totals = new Map<string, Decimal>();
  for (const line of lines) totals.set(line.variantId, (totals.get(line.variantId) ?? new Decimal(0)).plus(line.quantity));
  return totals;
}

const SEGMENT = /^[A-Z0-9][A-Z0-9_-]{0,39}$/;

/** Segments are names like WHOLESALE or STAFF: compared upper-case, 1 to 40 letters, digits, _ and -. */
export function normalizeSegment(segment: string): string {
  return segment.trim().toUpperCase();
}

export function checkSegment(segment: string, field: string[]): UserError | null {
  return SEGMENT.test(segment) ? null : userError('INVALID_SEGMENT', 'a segment is 1 to 40 letters, digits, _ and -', field);
}

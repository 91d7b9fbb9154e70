/**
 * Promotions and vouchers without I/O (DOMAIN.md): what a promotion may be, whether a code
 * applies to an order, and how much it takes off which line.
 *
 * The math, in the store's price basis (VAT-inclusive at the till, net in a B2B store):
 *   the base is what the lines still cost after the promotions applied before;
 *   PERCENTAGE takes round2(base x value / 100), FIXED_AMOUNT takes value;
 *   either is capped at maxDiscount and at the base, so an order never goes below zero.
 * Stacked codes apply percentages first, then fixed amounts, each group by code, so the
 * result does not depend on the order the codes were typed in. Each promotion's amount is
 * spread over the lines in proportion to what they still cost, to the cent (largest
 * remainder), so the line discounts add up exactly to the promotion's amount and VAT is
 * computed on each discounted line.
 */
import { Decimal, type DecimalInput, roundMoney, sum, type UserError, userError } from '@comanda/kit';
import { checkName } from './catalog.ts';

export const PROMOTION_KINDS = ['PERCENTAGE', 'FIXED_AMOUNT'] as const;
export type PromotionKind = (typeof PROMOTION_KINDS)[number];

/** at most this many codes on one order (all of them stackable; place-order.ts checks the count) */
export const MAX_CODES = 5;

export interface Promotion {
  id: string;
  code: string;
  name: string;
  kind: PromotionKind;
  value: string;
  minOrderAmount: string | null;
  maxDiscount: string | null;
  validFrom: Date | null;
  validUntil: Date | null;
  usageLimit: number | null;
  timesUsed: number;
  stackable: boolean;
  active: boolean;
}

/** Codes are typed by people: compared upper-case, without surrounding blanks. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

const CODE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const MAX_AMOUNT = new Decimal(1_000_000_000);

/** The fields a promotion is made of, as they will be stored (create, or update merged over the stored row). */
export type PromotionFields = Omit<Promotion, 'id' | 'timesUsed'>;

function amount(text: string | null, field: string[], mustBePositive: boolean): UserError | null {
  if (text === null) return null;
  const value = DECIMAL.test(text.trim()) ? new Decimal(text.trim()) : null;
  if (!value || value.gt(MAX_AMOUNT) || value.decimalPlaces() > 2 || (mustBePositive && value.isZero())) {
    return userError('INVALID_AMOUNT', `an amount is ${mustBePositive ? 'above' : 'at least'} 0, at most 1000000000, with at most 2 decimals`, field);
  }
  return null;
}

/** Every problem with a promotion's fields; `timesUsed` is the uses already made (0 for a new one). */
export function validatePromotion(fields: PromotionFields, timesUsed: number): UserError[] {
  const at = (name: string) => ['input', name];
  const errors: (UserError | null)[] = [
    CODE.test(fields.code) ? null : userError('INVALID_PROMOTION_CODE', 'a code is 3 to 32 letters, digits, _ and -', at('code')),
    checkName(fields.name, at('name')),
    amount(fields.minOrderAmount, at('minOrderAmount'), false),
    amount(fields.maxDiscount, at('maxDiscount'), true),
  ];
  const value = DECIMAL.test(fields.value.trim()) ? new Decimal(fields.value.trim()) : null;
  const limit = fields.kind === 'PERCENTAGE' ? new Decimal(100) : MAX_AMOUNT;
  if (!value || value.isZero() || value.gt(limit) || value.decimalPlaces() > 2) {
    errors.push(
      userError(
        'INVALID_PROMOTION_VALUE',
        fields.kind === 'PERCENTAGE'
          ? 'a percentage is above 0 and at most 100, with at most 2 decimals'
          : 'a fixed amount is above 0 with at most 2 decimals',
        at('value'),
      ),
    );
  }
  if (fields.validFrom && fields.validUntil && fields.validUntil <= fields.validFrom) {
    errors.push(userError('INVALID_VALIDITY', 'validUntil comes after validFrom', at('validUntil')));
  }
  if (fields.usageLimit !== null && (!Number.isInteger(fields.usageLimit) || fields.usageLimit < 1)) {
    errors.push(userError('INVALID_USAGE_LIMIT', 'a usage limit is a whole number of at least 1', at('usageLimit')));
  } else if (fields.usageLimit !== null && fields.usageLimit < timesUsed) {
    errors.push(userError('USAGE_LIMIT_BELOW_USED', `the code was already used ${timesUsed} times`, at('usageLimit')));
  }
  return errors.filter((e): e is UserError => e !== null);
}

/**
 * Why one promotion does not apply to an order placed `now` with this subtotal (before any
 * discount), or null when it does. The usage check here is advisory: the claim in the database
 * (services/promotions.ts) is what makes the limit exact under concurrency.
 */
export function ineligibility(promotion: Promotion, now: Date, subtotal: Decimal): { code: string; message: string } | null {
  const code = promotion.code;
  if (!promotion.active) return { code: 'PROMOTION_INACTIVE', message: `${code} is switched off` };
  if (promotion.validFrom && now < promotion.validFrom)
    return { code: 'PROMOTION_NOT_STARTED', message: `${code} starts ${promotion.validFrom.toISOString()}` };
  if (promotion.validUntil && now >= promotion.validUntil)
    return { code: 'PROMOTION_EXPIRED', message: `${code} ended ${promotion.validUntil.toISOString()}` };
  if (promotion.usageLimit !== null && promotion.timesUsed >= promotion.usageLimit) return exhausted(code);
  if (promotion.minOrderAmount !== null && subtotal.lt(promotion.minOrderAmount)) {
    return { code: 'PROMOTION_MIN_ORDER_NOT_MET', message: `${code} needs an order of at least ${new Decimal(promotion.minOrderAmount).toFixed(2)}` };
  }
  return null;
}

export const exhausted = (code: string) => ({ code: 'PROMOTION_EXHAUSTED', message: `${code} has been used as many times as it may` });

/**
 * Checks the codes of one order (normalized, without repeats, in the order given) against the
 * promotions found for them: every problem at once, each at its code's index.
 */
export function checkCodes(codes: readonly string[], found: ReadonlyMap<string, Promotion>, now: Date, subtotal: Decimal): UserError[] {
  const errors: UserError[] = [];
  const field = (i: number) => ['input', 'promotionCodes', String(i)];
  codes.forEach((code, i) => {
    const promotion = found.get(code);
    if (!promotion) {
      errors.push(userError('UNKNOWN_PROMOTION', `no promotion ${code}`, field(i)));
      return;
    }
    const problem = ineligibility(promotion, now, subtotal);
    if (problem) errors.push(userError(problem.code, problem.message, field(i)));
    else if (codes.length > 1 && !promotion.stackable) {
      errors.push(userError('PROMOTION_NOT_STACKABLE', `${code} cannot be combined with another code`, field(i)));
    }
  });
  return errors;
}

/**
 * Spreads an amount over weights in proportion, to the cent: each share rounded down, then the
 * cents left over go to the largest remainders (the first line on a tie). With whole-cent
 * weights and an amount not above their sum, no share exceeds its weight.
 */
export function allocate(amount: DecimalInput, weights: readonly Decimal[]): Decimal[] {
  const total = sum(weights);
  const target = roundMoney(amount);
  if (total.isZero()) return weights.map(() => new Decimal(0));
  const exact = weights.map((w) => target.times(w).div(total));
  const shares = exact.map((e) => e.toDecimalPlaces(2, Decimal.ROUND_DOWN));
  let cents = target.minus(sum(shares)).times(100).round().toNumber();
  const byRemainder = exact.map((e, i) => ({ i, rest: e.minus(shares[i]!) })).sort((a, b) => b.rest.comparedTo(a.rest) || a.i - b.i);
  for (const { i } of byRemainder) {
    if (cents <= 0) break;
    shares[i] = shares[i]!.plus('0.01');
    cents--;
  }
  return shares;
}

export interface AppliedPromotion {
  promotion: Promotion;
  amount: Decimal;
  /** this promotion's part of each line's discount, in line order */
  lineAmounts: Decimal[];
}

export interface PromotionResult {
  applied: AppliedPromotion[];
  /** each line's discount: the sum of its parts */
  lineDiscounts: Decimal[];
}

const application = (a: Promotion, b: Promotion) =>
  (a.kind === b.kind ? 0 : a.kind === 'PERCENTAGE' ? -1 : 1) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** The discounts of eligible promotions (checkCodes passed) on lines worth `gross` each (rounded, before discounts). */
export function applyPromotions(promotions: readonly Promotion[], gross: readonly Decimal[]): PromotionResult {
  const remaining = gross.map((g) => roundMoney(g));
  const applied: AppliedPromotion[] = [];
  for (const promotion of [...promotions].sort(application)) {
    const base = sum(remaining);
    let amount = promotion.kind === 'PERCENTAGE' ? roundMoney(base.times(promotion.value).div(100)) : roundMoney(promotion.value);
    if (promotion.maxDiscount !== null) amount = Decimal.min(amount, promotion.maxDiscount);
    amount = Decimal.min(amount, base);
    const lineAmounts = allocate(amount, remaining);
    lineAmounts.forEach((part, i) => {
      remaining[i] = remaining[i]!.minus(part);
    });
    applied.push({ promotion, amount, lineAmounts });
  }
  const lineDiscounts = gross.map((_, i) => sum(applied.map((a) => a.lineAmounts[i]!)));
  return { applied, lineDiscounts };
}

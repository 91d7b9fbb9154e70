/**
 * Vouchers on the till, by the server's rules (subgraphs/orders domain/promotions.ts), so the
 * cart shows the discount the server will give: percentages first, then fixed amounts, each
 * group by code; each takes round2(base x value / 100) or its value, capped by maxDiscount and
 * by what the lines still cost, and is spread over the lines in proportion to the cent
 * (largest remainder, the first line on a tie). VAT is then computed on each discounted line.
 */
import { type Fixed, min, parse, percentOf, round2, sum } from './decimal.ts';

export interface Voucher {
  code: string;
  name: string;
  kind: 'PERCENTAGE' | 'FIXED_AMOUNT';
  value: string;
  minOrderAmount: string | null;
  maxDiscount: string | null;
  validFrom: string | null;
  validUntil: string | null;
  usageLimit: number | null;
  timesUsed: number;
  stackable: boolean;
  active: boolean;
}

/** why the voucher does not apply to an order with this subtotal now; null when it does */
export function ineligibility(voucher: Voucher, now: Date, subtotal: Fixed): string | null {
  if (!voucher.active) return `${voucher.code} is switched off`;
  if (voucher.validFrom && now < new Date(voucher.validFrom)) return `${voucher.code} starts ${new Date(voucher.validFrom).toLocaleString()}`;
  if (voucher.validUntil && now >= new Date(voucher.validUntil)) return `${voucher.code} ended ${new Date(voucher.validUntil).toLocaleString()}`;
  if (voucher.usageLimit !== null && voucher.timesUsed >= voucher.usageLimit) return `${voucher.code} has been used as many times as it may`;
  if (voucher.minOrderAmount !== null && subtotal < parse(voucher.minOrderAmount))
    return `${voucher.code} needs an order of at least ${voucher.minOrderAmount}`;
  return null;
}

/** an amount (whole cents) over weights (whole cents) in proportion, to the cent */
export function allocate(amount: Fixed, weights: Fixed[]): Fixed[] {
  const cents = weights.map((w) => w / 100n);
  const total = sum(cents);
  if (total === 0n) return weights.map(() => 0n);
  const target = amount / 100n;
  const shares = cents.map((w) => (target * w) / total);
  const rests = cents.map((w, i) => ({ i, rest: (target * w) % total }));
  let left = target - sum(shares);
  for (const { i } of rests.sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1))) {
    if (left <= 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares.map((s) => s * 100n);
}

const order = (a: Voucher, b: Voucher) =>
  (a.kind === b.kind ? 0 : a.kind === 'PERCENTAGE' ? -1 : 1) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

export interface Applied {
  code: string;
  amount: Fixed;
}

/** the discounts of eligible vouchers on lines worth `gross` each (rounded, before discounts) */
export function applyVouchers(vouchers: Voucher[], gross: Fixed[]): { applied: Applied[]; lineDiscounts: Fixed[] } {
  const remaining = gross.map(round2);
  const discounts = gross.map(() => 0n);
  const applied: Applied[] = [];
  for (const voucher of [...vouchers].sort(order)) {
    const base = sum(remaining);
    let amount = voucher.kind === 'PERCENTAGE' ? percentOf(base, parse(voucher.value)) : round2(parse(voucher.value));
    if (voucher.maxDiscount !== null) amount = min(amount, parse(voucher.maxDiscount));
    amount = min(amount, base);
    allocate(amount, remaining).forEach((part, i) => {
      remaining[i]! -= part;
      discounts[i]! += part;
    });
    applied.push({ code: voucher.code, amount });
  }
  return { applied, lineDiscounts: discounts };
}

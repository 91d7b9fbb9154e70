import { Decimal, sum } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  applyPromotions,
  checkCodes,
  ineligibility,
  type Promotion,
  type PromotionFields,
  validatePromotion,
} from '../src/domain/promotions.ts';
import { orderAmounts } from '../src/domain/totals.ts';

const d = (v: string | number) => new Decimal(v);
const now = new Date('2026-03-10T12:00:00Z');

function promo(code: string, change: Partial<Promotion> = {}): Promotion {
  return {
    id: `id-${code}`,
    code,
    name: code,
    kind: 'PERCENTAGE',
    value: '10',
    minOrderAmount: null,
    maxDiscount: null,
    validFrom: null,
    validUntil: null,
    usageLimit: null,
    timesUsed: 0,
    stackable: false,
    active: true,
    ...change,
  };
}

const fields = (change: Partial<PromotionFields> = {}): PromotionFields => {
  const { id: _id, timesUsed: _used, ...rest } = promo('SUMMER10');
  return { ...rest, ...change };
};

describe('a promotion’s fields', () => {
  it('accepts a plain one', () => {
    expect(validatePromotion(fields(), 0)).toEqual([]);
    expect(validatePromotion(fields({ kind: 'FIXED_AMOUNT', value: '25.50', minOrderAmount: '100', usageLimit: 10 }), 0)).toEqual([]);
  });

  it.each([
    [{ code: 'AB' }, 'INVALID_PROMOTION_CODE'],
    [{ code: 'HAS SPACE' }, 'INVALID_PROMOTION_CODE'],
    [{ name: ' ' }, 'NAME_REQUIRED'],
    [{ value: '0' }, 'INVALID_PROMOTION_VALUE'],
    [{ value: '100.01' }, 'INVALID_PROMOTION_VALUE'],
    [{ value: '12.345' }, 'INVALID_PROMOTION_VALUE'],
    [{ kind: 'FIXED_AMOUNT' as const, value: '-5' }, 'INVALID_PROMOTION_VALUE'],
    [{ minOrderAmount: '-1' }, 'INVALID_AMOUNT'],
    [{ maxDiscount: '0' }, 'INVALID_AMOUNT'],
    [{ validFrom: now, validUntil: now }, 'INVALID_VALIDITY'],
    [{ usageLimit: 0 }, 'INVALID_USAGE_LIMIT'],
    [{ usageLimit: 2.5 }, 'INVALID_USAGE_LIMIT'],
  ] as [Partial<PromotionFields>, string][])('%o is %s', (change, code) => {
    expect(validatePromotion(fields(change), 0).map((e) => e.code)).toEqual([code]);
  });

  it('does not lower the limit below the uses already made', () => {
    expect(validatePromotion(fields({ usageLimit: 5 }), 6).map((e) => e.code)).toEqual(['USAGE_LIMIT_BELOW_USED']);
    expect(validatePromotion(fields({ usageLimit: 6 }), 6)).toEqual([]);
  });
});

describe('whether a code applies', () => {
  it.each([
    [{}, null],
    [{ active: false }, 'PROMOTION_INACTIVE'],
    [{ validFrom: new Date('2026-03-11T00:00:00Z') }, 'PROMOTION_NOT_STARTED'],
    [{ validUntil: now }, 'PROMOTION_EXPIRED'],
    [{ validFrom: new Date('2026-03-01T00:00:00Z'), validUntil: new Date('2026-04-01T00:00:00Z') }, null],
    [{ usageLimit: 10, timesUsed: 10 }, 'PROMOTION_EXHAUSTED'],
    [{ usageLimit: 10, timesUsed: 9 }, null],
    [{ minOrderAmount: '100.01' }, 'PROMOTION_MIN_ORDER_NOT_MET'],
    [{ minOrderAmount: '100' }, null],
  ] as [Partial<Promotion>, string | null][])('%o -> %s (subtotal 100)', (change, code) => {
    expect(ineligibility(promo('X10', change), now, d(100))?.code ?? null).toBe(code);
  });

  it('allows one code per order unless every code is stackable, and names unknown codes', () => {
    const found = new Map([
      ['A10', promo('A10', { stackable: true })],
      ['B10', promo('B10')],
      ['C10', promo('C10', { stackable: true })],
    ]);
    expect(checkCodes(['B10'], found, now, d(50))).toEqual([]);
    expect(checkCodes(['A10', 'C10'], found, now, d(50))).toEqual([]);
    expect(checkCodes(['A10', 'B10', 'NOPE'], found, now, d(50)).map((e) => [e.code, e.field])).toEqual([
      ['PROMOTION_NOT_STACKABLE', ['input', 'promotionCodes', '1']],
      ['UNKNOWN_PROMOTION', ['input', 'promotionCodes', '2']],
    ]);
  });
});

describe('spreading an amount over lines', () => {
  it('is proportional and exact to the cent, remainders to the largest fractions', () => {
    expect(allocate('10', [d('33.33'), d('33.33'), d('33.34')]).map((x) => x.toFixed(2))).toEqual(['3.33', '3.33', '3.34']);
    expect(allocate('0.05', [d('1'), d('1'), d('1')]).map((x) => x.toFixed(2))).toEqual(['0.02', '0.02', '0.01']);
    expect(allocate('5', [d('0'), d('0')]).map((x) => x.toFixed(2))).toEqual(['0.00', '0.00']);
  });

  it('never gives a line more than it is worth, and always adds up (1,000 random cases)', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 1000; run++) {
      const weights = Array.from({ length: 1 + Math.floor(random() * 6) }, () => d(Math.floor(random() * 10_000)).div(100));
      const total = sum(weights);
      const amount = total.times(random()).toDecimalPlaces(2, Decimal.ROUND_DOWN);
      const shares = allocate(amount, weights);
      expect(sum(shares).toFixed(2)).toBe(amount.toFixed(2));
      shares.forEach((share, i) => {
        expect(share.gte(0)).toBe(true);
        expect(share.lte(weights[i]!)).toBe(true);
      });
    }
  });
});

describe('the discounts of an order', () => {
  const gross = [d('179.80'), d('58.50')];

  it('takes a percentage of the lines, spread over them', () => {
    const result = applyPromotions([promo('TEN')], gross);
    expect(result.applied[0]?.amount.toFixed(2)).toBe('23.83'); // 10% of 238.30
    expect(result.lineDiscounts.map((x) => x.toFixed(2))).toEqual(['17.98', '5.85']);
  });

  it('caps a percentage at maxDiscount and a fixed amount at the order', () => {
    expect(applyPromotions([promo('TEN', { maxDiscount: '15' })], gross).applied[0]?.amount.toFixed(2)).toBe('15.00');
    expect(applyPromotions([promo('BIG', { kind: 'FIXED_AMOUNT', value: '500' })], gross).applied[0]?.amount.toFixed(2)).toBe('238.30');
  });

  it('stacks percentages first, then fixed amounts, whatever order they were typed in', () => {
    const fixed = promo('FIVE', { kind: 'FIXED_AMOUNT', value: '5', stackable: true });
    const pct = promo('TEN', { stackable: true });
    const a = applyPromotions([fixed, pct], gross);
    const b = applyPromotions([pct, fixed], gross);
    expect(a.applied.map((x) => [x.promotion.code, x.amount.toFixed(2)])).toEqual([
      ['TEN', '23.83'],
      ['FIVE', '5.00'],
    ]);
    expect(b.lineDiscounts.map((x) => x.toFixed(2))).toEqual(a.lineDiscounts.map((x) => x.toFixed(2)));
    expect(sum(a.lineDiscounts).toFixed(2)).toBe('28.83');
  });

  it('keeps the order’s totals and VAT exact after the discount', () => {
    const { lineDiscounts } = applyPromotions([promo('TEN')], gross);
    const amounts = orderAmounts(
      [
        { quantity: '2', unitPrice: '89.90', vatRate: '11', discount: lineDiscounts[0] },
        { quantity: '1.5', unitPrice: '39.00', vatRate: '21', discount: lineDiscounts[1] },
      ],
      true,
    );
    expect(amounts.subtotal.toFixed(2)).toBe('238.30');
    expect(amounts.discountTotal.toFixed(2)).toBe('23.83');
    expect(amounts.total.toFixed(2)).toBe('214.47');
    expect(sum(amounts.vatBreakdown.flatMap((b) => [b.taxableAmount, b.taxAmount])).toFixed(2)).toBe('214.47');
    expect(sum(amounts.vatBreakdown.map((b) => b.taxAmount)).toFixed(2)).toBe(amounts.taxTotal.toFixed(2));
  });
});

import { describe, expect, it } from 'vitest';
import type { CartLine } from '../src/lib/cart.svelte.ts';
import { priceCart } from '../src/lib/cart.svelte.ts';
import { format, parse } from '../src/lib/decimal.ts';
import { tierPrice } from '../src/lib/pricing.ts';
import { allocate, applyVouchers, ineligibility, type Voucher } from '../src/lib/promotions.ts';

const f = (xs: bigint[]) => xs.map((x) => format(x));

function voucher(code: string, fields: Partial<Voucher> = {}): Voucher {
  return {
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
    ...fields,
  };
}

// the same cases as the server's (subgraphs/orders/test/promotions.unit.test.ts): the till must agree to the cent
describe('vouchers on the till, as the server computes them', () => {
  it('spreads an amount over lines to the cent, remainders to the largest fractions', () => {
    expect(f(allocate(parse('10'), [parse('33.33'), parse('33.33'), parse('33.34')]))).toEqual(['3.33', '3.33', '3.34']);
    expect(f(allocate(parse('0.05'), [parse('1'), parse('1'), parse('1')]))).toEqual(['0.02', '0.02', '0.01']);
    expect(f(allocate(parse('5'), [0n, 0n]))).toEqual(['0.00', '0.00']);
  });

  const gross = [parse('179.80'), parse('58.50')];

  it('takes a percentage, capped by maxDiscount; a fixed amount capped by the order', () => {
    const ten = applyVouchers([voucher('TEN')], gross);
    expect(format(ten.applied[0]!.amount)).toBe('23.83');
    expect(f(ten.lineDiscounts)).toEqual(['17.98', '5.85']);
    expect(format(applyVouchers([voucher('TEN', { maxDiscount: '15' })], gross).applied[0]!.amount)).toBe('15.00');
    expect(format(applyVouchers([voucher('BIG', { kind: 'FIXED_AMOUNT', value: '500' })], gross).applied[0]!.amount)).toBe('238.30');
  });

  it('stacks percentages first, then fixed amounts, whatever the order typed', () => {
    const fixed = voucher('FIVE', { kind: 'FIXED_AMOUNT', value: '5', stackable: true });
    const pct = voucher('TEN', { stackable: true });
    const a = applyVouchers([fixed, pct], gross);
    expect(a.applied.map((x) => [x.code, format(x.amount)])).toEqual([
      ['TEN', '23.83'],
      ['FIVE', '5.00'],
    ]);
    expect(f(applyVouchers([pct, fixed], gross).lineDiscounts)).toEqual(f(a.lineDiscounts));
  });

  it('says why a voucher does not apply', () => {
    const now = new Date('2025-06-01T10:00:00Z');
    expect(ineligibility(voucher('OFF', { active: false }), now, 0n)).toMatch(/switched off/);
    expect(ineligibility(voucher('SOON', { validFrom: '2025-07-01T00:00:00Z' }), now, 0n)).toMatch(/starts/);
    expect(ineligibility(voucher('OLD', { validUntil: '2025-06-01T10:00:00Z' }), now, 0n)).toMatch(/ended/);
    expect(ineligibility(voucher('USED', { usageLimit: 10, timesUsed: 10 }), now, 0n)).toMatch(/used as many times/);
    expect(ineligibility(voucher('MIN', { minOrderAmount: '100.00' }), now, parse('99.99'))).toMatch(/at least 100.00/);
    expect(ineligibility(voucher('MIN', { minOrderAmount: '100.00' }), now, parse('100'))).toBeNull();
  });
});

describe('the cart priced as the server will', () => {
  const beans = {
    id: 'v1',
    sku: 'B',
    barcode: null,
    name: 'Beans',
    productName: 'Beans',
    price: '89.90',
    currencyCode: 'RON',
    vatRate: '11',
    stockOnHand: '9',
  };
  const cups = {
    ...beans,
    id: 'v2',
    sku: 'C',
    name: 'Cups',
    price: '39.00',
    vatRate: '21',
    tiers: [
      { minQuantity: '10', unitPrice: '35.00' },
      { minQuantity: '5', unitPrice: '37.50' },
    ],
  };
  const line = (variant: typeof beans, quantity: string, override: string | null = null): CartLine => ({
    key: `${variant.id}${quantity}`,
    variant,
    quantity,
    override,
  });

  it('takes the quantity tier the variant’s total quantity reaches', () => {
    expect(tierPrice(cups, parse('4'))).toBe('39.00');
    expect(tierPrice(cups, parse('5'))).toBe('37.50');
    expect(tierPrice(cups, parse('12'))).toBe('35.00');
    // two lines of the same variant count together
    expect(priceCart([line(cups, '3'), line(cups, '2', '30.00')], [], true).unitPrices).toEqual(['37.50', '30.00']);
  });

  it('a 10 % voucher on 2 x 89.90 + 1.5 x 39.00: discounts per line, VAT on what is left', () => {
    const priced = priceCart([line(beans, '2'), line(cups, '1.5')], [voucher('TEN')], true);
    expect(priced.applied.map((a) => [a.code, format(a.amount)])).toEqual([['TEN', '23.83']]);
    expect(f(priced.totals.lines.map((l) => l.discount))).toEqual(['17.98', '5.85']);
    expect(format(priced.totals.total)).toBe('214.47');
    expect(priced.totals.vat.map((v) => [v.rate, format(v.tax)])).toEqual([
      ['21', '9.14'],
      ['11', '16.04'],
    ]);
  });

  it('leaves out a voucher that does not apply, and says why', () => {
    const priced = priceCart([line(beans, '1')], [voucher('MIN', { minOrderAmount: '100' })], true);
    expect(priced.refused).toEqual([{ code: 'MIN', why: 'MIN needs an order of at least 100' }]);
    expect(format(priced.totals.total)).toBe('89.90');
  });
});

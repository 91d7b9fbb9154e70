import { describe, expect, it } from 'vitest';
import { format } from '../src/lib/decimal.ts';
import { cartTotals } from '../src/lib/totals.ts';

const f = (v: bigint) => format(v);

describe('cart totals by the server rules', () => {
  it('VAT-inclusive store: the VAT comes out of each line, the breakdown adds up to the total', () => {
    const t = cartTotals(
      [
        { quantity: '1', unitPrice: '89.90', vatRate: '11' },
        { quantity: '2', unitPrice: '14.90', vatRate: '21' },
        { quantity: '3', unitPrice: '4.49', vatRate: '11' },
      ],
      true,
    );
    expect(f(t.subtotal)).toBe('133.17');
    expect(f(t.total)).toBe('133.17');
    // 89.90 -> 8.91, 13.47 -> 1.33 (rate 11); 29.80 -> 5.17 (rate 21)
    expect(t.vat.map((v) => [v.rate, f(v.taxable), f(v.tax)])).toEqual([
      ['21', '24.63', '5.17'],
      ['11', '93.13', '10.24'],
    ]);
    expect(f(t.taxTotal)).toBe('15.41');
    expect(t.vat.reduce((a, v) => a + v.taxable + v.tax, 0n)).toBe(t.total);
  });
  it('net-price store: the VAT is added on top', () => {
    const t = cartTotals([{ quantity: '10', unitPrice: '12.345', vatRate: '21' }], false);
    expect(f(t.subtotal)).toBe('123.45');
    expect(f(t.taxTotal)).toBe('25.92');
    expect(f(t.total)).toBe('149.37');
  });
  it('subtracts line discounts before VAT', () => {
    const t = cartTotals([{ quantity: '2', unitPrice: '50', vatRate: '21', discount: '10' }], true);
    expect([f(t.subtotal), f(t.discountTotal), f(t.total), f(t.taxTotal)]).toEqual(['100.00', '10.00', '90.00', '15.62']);
  });
  it('an empty cart is zero', () => {
    expect(cartTotals([], true)).toMatchObject({ subtotal: 0n, total: 0n, vat: [] });
  });
});

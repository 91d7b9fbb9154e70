import { Decimal, sum } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { lineAmounts, orderAmounts } from '../src/domain/totals.ts';

const fixed = (d: Decimal) => d.toFixed(2);

describe('line amounts with VAT-inclusive prices (POS/B2C)', () => {
  it('takes VAT out of the line total at the line rate', () => {
    const line = lineAmounts({ quantity: '2', unitPrice: '12.10', vatRate: '21' }, true);
    expect(fixed(line.total)).toBe('24.20');
    expect(fixed(line.taxAmount)).toBe('4.20');
    expect(fixed(line.netAmount)).toBe('20.00');
  });

  it('rounds the VAT half-up per line', () => {
    // 4.49 x 11/111 = 0.44495...: rounds down; 9.99 x 11/111 = 0.98999...: rounds up
    expect(fixed(lineAmounts({ quantity: '1', unitPrice: '4.49', vatRate: '11' }, true).taxAmount)).toBe('0.44');
    expect(fixed(lineAmounts({ quantity: '1', unitPrice: '9.99', vatRate: '11' }, true).taxAmount)).toBe('0.99');
  });

  it('rounds a fractional quantity line total half-up, not to even', () => {
    // 0.5 x 0.01 = 0.005 -> 0.01 (banker's rounding would give 0.00)
    expect(fixed(lineAmounts({ quantity: '0.5', unitPrice: '0.01', vatRate: '0' }, true).total)).toBe('0.01');
    // 0.125 x 0.02 = 0.0025 -> 0.00
    expect(fixed(lineAmounts({ quantity: '0.125', unitPrice: '0.02', vatRate: '0' }, true).total)).toBe('0.00');
    // 1.5 x 0.0050 = 0.0075 -> 0.01
    expect(fixed(lineAmounts({ quantity: '1.5', unitPrice: '0.0050', vatRate: '0' }, true).total)).toBe('0.01');
  });

  it('subtracts the line discount before VAT', () => {
    const line = lineAmounts({ quantity: '3', unitPrice: '10', vatRate: '21', discount: '6.80' }, true);
    expect(fixed(line.gross)).toBe('30.00');
    expect(fixed(line.total)).toBe('23.20');
    expect(fixed(line.taxAmount)).toBe('4.03'); // 23.20 x 21/121 = 4.0264...
  });
});

describe('line amounts with net prices (B2B)', () => {
  it('adds VAT on top of the net total', () => {
    const line = lineAmounts({ quantity: '10', unitPrice: '8.50', vatRate: '21' }, false);
    expect(fixed(line.total)).toBe('85.00');
    expect(fixed(line.netAmount)).toBe('85.00');
    expect(fixed(line.taxAmount)).toBe('17.85');
  });

  it('rounds VAT of exactly half a cent up', () => {
    expect(fixed(lineAmounts({ quantity: '1', unitPrice: '0.05', vatRate: '10' }, false).taxAmount)).toBe('0.01'); // 0.005
    expect(fixed(lineAmounts({ quantity: '1', unitPrice: '10.05', vatRate: '10' }, false).taxAmount)).toBe('1.01'); // 1.005
    expect(fixed(lineAmounts({ quantity: '1', unitPrice: '0.25', vatRate: '11' }, false).taxAmount)).toBe('0.03'); // 0.0275
  });
});

describe('line amounts refuse impossible lines', () => {
  it.each([
    [{ quantity: '0', unitPrice: '1', vatRate: '21' }],
    [{ quantity: '-1', unitPrice: '1', vatRate: '21' }],
    [{ quantity: '1', unitPrice: '-1', vatRate: '21' }],
    [{ quantity: '1', unitPrice: '1', vatRate: '-5' }],
    [{ quantity: '1', unitPrice: '1', vatRate: '21', discount: '1.01' }],
  ])('%o', (line) => {
    expect(() => lineAmounts(line, true)).toThrow(RangeError);
  });
});

describe('order amounts', () => {
  const mixed = [
    { quantity: '1', unitPrice: '89.90', vatRate: '11' },
    { quantity: '3', unitPrice: '4.49', vatRate: '11' },
    { quantity: '0.333', unitPrice: '16.40', vatRate: '11' },
    { quantity: '2', unitPrice: '39.00', vatRate: '21' },
    { quantity: '1', unitPrice: '0.01', vatRate: '21' },
    { quantity: '7', unitPrice: '1.99', vatRate: '0' },
  ];

  it('sums VAT-inclusive lines: total = subtotal - discounts', () => {
    const order = orderAmounts(mixed, true);
    expect(fixed(order.subtotal)).toBe('200.77'); // 89.90 + 13.47 + 5.46 + 78.00 + 0.01 + 13.93
    expect(fixed(order.total)).toBe('200.77');
    expect(fixed(order.discountTotal)).toBe('0.00');
    // 11%: 8.91 + 1.33 + 0.54; 21%: 13.54 + 0.00; 0%: 0
    expect(fixed(order.taxTotal)).toBe('24.32');
  });

  it('sums net lines: total = subtotal + VAT', () => {
    const order = orderAmounts(mixed, false);
    expect(fixed(order.subtotal)).toBe('200.77');
    // 11%: 9.89 + 1.48 + 0.60; 21%: 16.38 + 0.00; 0%: 0
    expect(fixed(order.taxTotal)).toBe('28.35');
    expect(fixed(order.total)).toBe('229.12');
  });

  it.each([true, false])('has a VAT breakdown that sums exactly to the totals (prices include VAT: %s)', (pricesIncludeVat) => {
    const order = orderAmounts(mixed, pricesIncludeVat);
    expect(order.vatBreakdown.map((b) => b.rate.toFixed())).toEqual(['0', '11', '21']);
    expect(sum(order.vatBreakdown.map((b) => b.taxAmount)).eq(order.taxTotal)).toBe(true);
    expect(sum(order.vatBreakdown.flatMap((b) => [b.taxableAmount, b.taxAmount])).eq(order.total)).toBe(true);
    expect(sum(order.lines.map((l) => l.taxAmount)).eq(order.taxTotal)).toBe(true);
  });

  it('keeps exact sums over many awkward lines', () => {
    const lines = Array.from({ length: 200 }, (_, i) => ({
      quantity: new Decimal(i % 7)
        .plus('0.001')
        .times(i % 3 ? 1 : 3)
        .toFixed(3),
      unitPrice: new Decimal('0.0101').times(i + 1).toFixed(4),
      vatRate: ['0', '5.5', '11', '21'][i % 4] as string,
    }));
    for (const pricesIncludeVat of [true, false]) {
      const order = orderAmounts(lines, pricesIncludeVat);
      const breakdownTotal = sum(order.vatBreakdown.flatMap((b) => [b.taxableAmount, b.taxAmount]));
      expect(breakdownTotal.toFixed(2)).toBe(order.total.toFixed(2));
      expect(order.total.decimalPlaces()).toBeLessThanOrEqual(2);
      expect(sum(order.vatBreakdown.map((b) => b.taxAmount)).toFixed(2)).toBe(order.taxTotal.toFixed(2));
    }
  });

  it('groups equal rates however they are written', () => {
    const order = orderAmounts(
      [
        { quantity: '1', unitPrice: '10', vatRate: '21' },
        { quantity: '1', unitPrice: '10', vatRate: '21.00' },
      ],
      true,
    );
    expect(order.vatBreakdown).toHaveLength(1);
    expect(fixed(order.vatBreakdown[0]!.taxAmount)).toBe('3.48'); // 1.74 per line, rounded per line
  });

  it('sums discounts', () => {
    const order = orderAmounts(
      [
        { quantity: '2', unitPrice: '10', vatRate: '21', discount: '1.50' },
        { quantity: '1', unitPrice: '5', vatRate: '11', discount: '0.25' },
      ],
      true,
    );
    expect(fixed(order.subtotal)).toBe('25.00');
    expect(fixed(order.discountTotal)).toBe('1.75');
    expect(fixed(order.total)).toBe('23.25');
  });
});

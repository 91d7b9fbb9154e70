import { describe, expect, it } from 'vitest';
import { display, divRound, format, parse, percentOf, round2, times2, vatIncluded } from '../src/lib/decimal.ts';

describe('exact decimals', () => {
  it('parses and formats without floats', () => {
    expect(parse('0.1') + parse('0.2')).toBe(parse('0.3'));
    expect(format(parse('12.5'))).toBe('12.50');
    expect(format(parse('-3.0401'))).toBe('-3.0401');
    expect(format(parse('7'), 0)).toBe('7');
    expect(display(parse('1234567.8'))).toBe('1,234,567.80');
    expect(() => parse('1.23456')).toThrow();
    expect(() => parse('1e3')).toThrow();
  });
  it('rounds half-up, away from zero', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(4n, 3n)).toBe(1n);
    expect(format(round2(parse('2.345')))).toBe('2.35');
    expect(format(round2(parse('2.3449')))).toBe('2.34');
    expect(format(round2(parse('-2.345')))).toBe('-2.35');
  });
  it('multiplies quantity by price and takes VAT out of an inclusive amount', () => {
    expect(format(times2(parse('3'), parse('12.99')))).toBe('38.97');
    expect(format(times2(parse('0.333'), parse('10')))).toBe('3.33');
    expect(format(times2(parse('1.5'), parse('0.99')))).toBe('1.49'); // 1.485 -> 1.49
    // 89.90 at 11 %: 89.90 x 11 / 111 = 8.909... -> 8.91
    expect(format(vatIncluded(parse('89.90'), parse('11')))).toBe('8.91');
    expect(format(vatIncluded(parse('119.00'), parse('21')))).toBe('20.65');
    expect(format(percentOf(parse('100.00'), parse('21')))).toBe('21.00');
  });
});

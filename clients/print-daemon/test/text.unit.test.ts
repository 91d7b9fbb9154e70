import { describe, expect, it } from 'vitest';
import { compare, format, formatAmount, formatQuantity, parseDecimal, round, sumAmounts } from '../src/money.ts';
import { center, columns, printable, spread, wrap } from '../src/text.ts';

describe('printable', () => {
  it('maps the comma-below ș ț Ș Ț to the cedilla forms cp852 has', () => {
    expect(printable('Brașov, Timișoara, ȘTEFAN, ȚARA, țuică')).toBe('Braşov, Timişoara, ŞTEFAN, ŢARA, ţuică');
  });

  it('maps a decomposed s + combining comma below too', () => {
    expect(printable('s\u0326t\u0326S\u0326T\u0326')).toBe('şţŞŢ');
  });

  it('keeps ă â î and the cedilla forms as they are', () => {
    expect(printable('ăâîĂÂÎşţ')).toBe('ăâîĂÂÎşţ');
  });

  it('never lets a control character through (no command hidden in a product name)', () => {
    expect(printable('Mug\x1b\x70\x00\x19\x19 \x1dV\x00red\u0085')).toBe('Mug p     V red ');
  });
});

describe('layout helpers', () => {
  it('wraps at spaces and cuts words longer than the width', () => {
    expect(wrap('Ground coffee 250g with a long name', 14)).toEqual(['Ground coffee', '250g with a', 'long name']);
    expect(wrap('Supercalifragilistic', 8)).toEqual(['Supercal', 'ifragili', 'stic']);
    expect(wrap('', 10)).toEqual(['']);
  });

  it('spreads a label and an amount over the width, cutting the label when both do not fit', () => {
    expect(spread('TOTAL', '12.50', 16)).toBe('TOTAL      12.50');
    expect(spread('A very long label', '12.50', 16)).toBe('A very lon 12.50');
    expect(spread('TOTAL', '12.50', 16)).toHaveLength(16);
  });

  it('centers and lays out columns (negative widths right-align)', () => {
    expect(center('ab', 6)).toBe('  ab  ');
    expect(columns(['21%', '10.00', '2.10'], [5, -7, -6])).toBe('21%    10.00  2.10');
  });
});

describe('money on decimal strings', () => {
  it('formats amounts with two decimals, rounding half up (away from zero)', () => {
    expect(formatAmount('89.9')).toBe('89.90');
    expect(formatAmount('0.005')).toBe('0.01');
    expect(formatAmount('-0.005')).toBe('-0.01');
    expect(formatAmount('12.3449')).toBe('12.34');
    expect(format(round(parseDecimal('2.675'), 2))).toBe('2.68');
  });

  it('prints quantities without trailing zeros', () => {
    expect(formatQuantity('2.000')).toBe('2');
    expect(formatQuantity('0.250')).toBe('0.25');
    expect(formatQuantity('10')).toBe('10');
  });

  it('sums and compares without floats', () => {
    expect(sumAmounts(['0.10', '0.20', '0.30'])).toBe('0.60');
    expect(compare('21', '11.5')).toBe(1);
    expect(compare('5.50', '5.5')).toBe(0);
    expect(() => parseDecimal('1e3')).toThrow(/not a decimal/);
  });
});

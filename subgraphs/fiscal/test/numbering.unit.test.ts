import { describe, expect, it } from 'vitest';
import { fiscalYear, formatInvoiceNumber, formatReceiptNumber, INVOICE_SERIES, RECEIPT_SERIES } from '../src/domain/numbering.ts';

describe('document numbers', () => {
  it('pads invoice numbers to six digits after the series', () => {
    expect(formatInvoiceNumber(INVOICE_SERIES, 123)).toBe('CMD-000123');
    expect(formatInvoiceNumber(INVOICE_SERIES, 1)).toBe('CMD-000001');
  });
  it('keeps every digit past six', () => {
    expect(formatInvoiceNumber(INVOICE_SERIES, 1234567)).toBe('CMD-1234567');
  });
  it('prints the year on receipts, whose numbers restart every year', () => {
    expect(formatReceiptNumber(RECEIPT_SERIES, 2025, 42)).toBe('BF-2025-000042');
  });
  it.each([0, -1, 1.5, Number.NaN])('refuses the sequence %s', (seq) => {
    expect(() => formatInvoiceNumber(INVOICE_SERIES, seq)).toThrow(RangeError);
  });
  it("takes the year from the store's timezone, not UTC", () => {
    const newYearInBucharest = new Date('2025-12-31T22:30:00Z');
    expect(fiscalYear(newYearInBucharest, 'Europe/Bucharest')).toBe(2026);
    expect(fiscalYear(newYearInBucharest, 'UTC')).toBe(2025);
  });
});

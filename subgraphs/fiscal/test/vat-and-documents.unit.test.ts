import { calendarDay, DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { type ReceiptSnapshot, validateInvoiceRequest, validateReceiptSnapshot } from '../src/domain/documents.ts';
import { normalizeVatBreakdown, vatTotals } from '../src/domain/vat.ts';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.errors[0]?.code : 'not a DomainError';
  }
  return undefined;
}

describe('VAT breakdown', () => {
  it('merges lines per rate, sorts by rate and sums exactly to the total', () => {
    const lines = normalizeVatBreakdown(
      [
        { rate: '21', taxableAmount: '10.00', taxAmount: '2.10' },
        { rate: '11', taxableAmount: '9.01', taxAmount: '0.99' },
        { rate: '21.0', taxableAmount: '5.00', taxAmount: '1.05' },
      ],
      '28.15',
    );
    expect(lines).toEqual([
      { rate: '11', taxableAmount: '9.01', taxAmount: '0.99' },
      { rate: '21', taxableAmount: '15.00', taxAmount: '3.15' },
    ]);
    const totals = vatTotals(lines);
    expect([totals.taxable.toFixed(2), totals.tax.toFixed(2), totals.total.toFixed(2)]).toEqual(['24.01', '4.14', '28.15']);
  });
  it('refuses a breakdown that does not add up to the total', () => {
    expect(codeOf(() => normalizeVatBreakdown([{ rate: '21', taxableAmount: '10.00', taxAmount: '2.10' }], '12.11'))).toBe('VAT_BREAKDOWN_MISMATCH');
  });
  it('refuses a rate outside 0-100', () => {
    expect(codeOf(() => normalizeVatBreakdown([{ rate: '-1', taxableAmount: '1', taxAmount: '0' }], '1'))).toBe('INVALID_VAT_RATE');
    expect(codeOf(() => normalizeVatBreakdown([{ rate: 'abc', taxableAmount: '1', taxAmount: '0' }], '1'))).toBe('INVALID_VAT_RATE');
  });
  it('rounds half-up to 2 decimals before summing', () => {
    expect(normalizeVatBreakdown([{ rate: '11', taxableAmount: '9.005', taxAmount: '0.995' }], '10.01')).toEqual([
      { rate: '11', taxableAmount: '9.01', taxAmount: '1.00' },
    ]);
  });
});

const snapshot = (): ReceiptSnapshot => ({
  orderId: '0190a0b0-0000-7000-8000-000000000001',
  storeId: '0190a0b0-0000-7000-8000-000000000002',
  currency: 'RON',
  total: '24.50',
  vatBreakdown: [{ rate: '11', taxableAmount: '22.07', taxAmount: '2.43' }],
  lines: [{ name: 'Ground coffee 250g', sku: 'DEMO-002-S', quantity: '1', unitPrice: '24.50', total: '24.50', vatRate: '11' }],
  payments: [{ method: 'CASH', amount: '24.50', change: '0.50' }],
});

describe('receipt snapshot', () => {
  it('keeps the sale as strings with money to 2 decimals', () => {
    const valid = validateReceiptSnapshot(snapshot());
    expect(valid).toMatchObject({ total: '24.50', timezone: 'Europe/Bucharest', payments: [{ method: 'CASH', amount: '24.50', change: '0.50' }] });
  });
  it.each<[string, Partial<ReceiptSnapshot>, string]>([
    ['a malformed order id', { orderId: 'nope' }, 'INVALID_ORDER_ID'],
    ['a malformed store id', { storeId: '42' }, 'INVALID_STORE_ID'],
    ['a bad currency', { currency: 'lei' }, 'INVALID_CURRENCY'],
    ['a negative total', { total: '-1' }, 'INVALID_AMOUNT'],
    ['no lines', { lines: [] }, 'INVALID_RECEIPT_LINE'],
    ['a bad payment method', { payments: [{ method: 'cash', amount: '1' }] }, 'INVALID_RECEIPT_PAYMENT'],
    ['an unknown timezone', { timezone: 'Mars/Olympus' }, 'INVALID_TIMEZONE'],
  ])('refuses %s', (_, change, code) => {
    expect(codeOf(() => validateReceiptSnapshot({ ...snapshot(), ...change }))).toBe(code);
  });
});

describe('invoice request', () => {
  it('defaults to a Romanian company buyer and derives the due date', () => {
    const issuedAt = new Date('2025-09-01T08:00:00Z');
    const valid = validateInvoiceRequest({ ...snapshot(), customerId: '0190a0b0-0000-7000-8000-000000000003', dueDays: 14, issuedAt });
    expect(valid).toMatchObject({ countryCode: 'RO', buyerKind: 'COMPANY', total: '24.50' });
    expect(valid.dueDate.toISOString()).toBe('2025-09-15T08:00:00.000Z');
  });
  it('refuses a missing customer', () => {
    expect(codeOf(() => validateInvoiceRequest({ ...snapshot(), customerId: '', dueDays: 14 }))).toBe('INVALID_CUSTOMER_ID');
  });
});

describe("a store's calendar day", () => {
  it('runs from local midnight to local midnight', () => {
    const { from, to } = calendarDay(new Date('2025-09-15T21:30:00Z'), 'Europe/Bucharest');
    expect([from.toISOString(), to.toISOString()]).toEqual(['2025-09-15T21:00:00.000Z', '2025-09-16T21:00:00.000Z']);
  });
  it('is 23 hours long when summer time starts', () => {
    const { from, to } = calendarDay(new Date('2025-03-30T12:00:00Z'), 'Europe/Bucharest');
    expect((to.getTime() - from.getTime()) / 3_600_000).toBe(23);
  });
});

import { describe, expect, it } from 'vitest';
import { cashAmount, validateCashMovement, validateCloseShift, validateOpenShift } from '../src/domain/shift.ts';
import { computeZReport, type ZReceipt } from '../src/domain/z-report.ts';

const receipt = (total: string, payments: [string, string][], vat: [string, string, string][], discount = '0'): ZReceipt => ({
  total,
  payments: payments.map(([method, amount]) => ({ method, amount })),
  vatBreakdown: vat.map(([rate, taxableAmount, taxAmount]) => ({ rate, taxableAmount, taxAmount })),
  discount,
});

describe('the Z report', () => {
  const day = {
    openingFloat: '200.00',
    receipts: [
      receipt('100.00', [['CASH', '100.00']], [['21', '82.64', '17.36']]),
      // split: cash and card on one sale
      receipt(
        '57.70',
        [
          ['CASH', '20.00'],
          ['CARD', '37.70'],
        ],
        [
          ['11', '27.03', '2.97'],
          ['21', '22.89', '4.81'],
        ],
        '3.30',
      ),
      receipt('12.99', [['CARD', '12.99']], [['11', '11.70', '1.29']], '1.00'),
    ],
    refunds: [
      { method: 'CASH', amount: '10.00' },
      { method: 'CARD', amount: '5.00' },
    ],
    cashMovements: [
      { kind: 'CASH_IN' as const, amount: '50.00' },
      { kind: 'CASH_OUT' as const, amount: '120.00' },
      { kind: 'CASH_OUT' as const, amount: '0.50' },
    ],
    countedCash: '238.00',
  };

  it('sums sales by method with counts, gross, VAT per rate, refunds and discounts', () => {
    const z = computeZReport(day);
    expect(z.salesByMethod).toEqual([
      { method: 'CARD', amount: '50.69', count: 2 },
      { method: 'CASH', amount: '120.00', count: 2 },
    ]);
    expect(z.grossSales).toBe('170.69');
    expect(z.vatBreakdown).toEqual([
      { rate: '11', taxableAmount: '38.73', taxAmount: '4.26' },
      { rate: '21', taxableAmount: '105.53', taxAmount: '22.17' },
    ]);
    expect(z).toMatchObject({ refunds: '15.00', netSales: '155.69', discounts: '4.30', receiptsCount: 3 });
    expect(z.refundsByMethod).toEqual([
      { method: 'CARD', amount: '5.00', count: 1 },
      { method: 'CASH', amount: '10.00', count: 1 },
    ]);
  });

  it('expects float + cash sales + cash in - cash out - cash refunds, and reports the discrepancy', () => {
    const z = computeZReport(day);
    // 200 + 120 + 50 - 120.50 - 10
    expect(z).toMatchObject({
      openingFloat: '200.00',
      cashSales: '120.00',
      cashIn: '50.00',
      cashOut: '120.50',
      cashRefunds: '10.00',
      expectedCash: '239.50',
      countedCash: '238.00',
      discrepancy: '-1.50',
    });
    expect(computeZReport({ ...day, countedCash: '239.5' }).discrepancy).toBe('0.00');
    expect(computeZReport({ ...day, countedCash: '240' }).discrepancy).toBe('0.50');
  });

  it('is exact where floats are not (0.1 + 0.2)', () => {
    const z = computeZReport({
      openingFloat: '0',
      receipts: [receipt('0.10', [['CASH', '0.10']], [['0', '0.10', '0.00']]), receipt('0.20', [['CASH', '0.20']], [['0', '0.20', '0.00']])],
      refunds: [],
      cashMovements: [],
      countedCash: '0.30',
    });
    expect(z).toMatchObject({ cashSales: '0.30', expectedCash: '0.30', discrepancy: '0.00' });
  });

  it('reports an empty shift as its float', () => {
    const z = computeZReport({ openingFloat: '150', receipts: [], refunds: [], cashMovements: [], countedCash: '150' });
    expect(z).toMatchObject({
      salesByMethod: [],
      vatBreakdown: [],
      grossSales: '0.00',
      receiptsCount: 0,
      expectedCash: '150.00',
      discrepancy: '0.00',
    });
  });

  it('refuses receipts whose VAT does not add up to their totals', () => {
    expect(() => computeZReport({ ...day, receipts: [receipt('10.00', [['CASH', '10.00']], [['21', '8.00', '1.00']])] })).toThrow(/VAT breakdown/);
  });
});

describe('shift requests', () => {
  const store = '0190b6a2-1111-7000-8000-00000000aaaa';
  const printer = '0190b6a2-1111-7000-8000-00000000bbbb';
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as { errors: { code: string; field: string[] }[] }).errors[0];
    }
    return null;
  };

  it('accepts a float of zero, refuses negatives, more than 2 decimals and non-numbers', () => {
    expect(cashAmount('0', 'openingFloat').toFixed(2)).toBe('0.00');
    for (const bad of ['-1', '1.005', 'abc', '', 'Infinity']) {
      expect(
        codeOf(() => cashAmount(bad, 'openingFloat')),
        bad,
      ).toMatchObject({ code: 'INVALID_AMOUNT', field: ['input', 'openingFloat'] });
    }
  });

  it('names the first problem of an open, a cash movement and a close', () => {
    const open = { storeId: store, printerId: printer, openingFloat: '100', idempotencyKey: 'k' };
    expect(validateOpenShift(open)).toMatchObject({ storeId: store, printerId: printer });
    expect(codeOf(() => validateOpenShift({ ...open, storeId: 'x' }))?.code).toBe('INVALID_STORE_ID');
    expect(codeOf(() => validateOpenShift({ ...open, printerId: 'x' }))?.code).toBe('PRINTER_NOT_FOUND');
    expect(codeOf(() => validateOpenShift({ ...open, idempotencyKey: ' ' }))?.code).toBe('INVALID_IDEMPOTENCY_KEY');

    const move = { shiftId: store, kind: 'CASH_OUT', amount: '10', reason: ' bank drop ', idempotencyKey: 'k' };
    expect(validateCashMovement(move)).toMatchObject({ kind: 'CASH_OUT', reason: 'bank drop' });
    expect(codeOf(() => validateCashMovement({ ...move, amount: '0' }))?.code).toBe('INVALID_AMOUNT');
    expect(codeOf(() => validateCashMovement({ ...move, kind: 'CASH_SIDEWAYS' }))?.code).toBe('INVALID_CASH_MOVEMENT_KIND');
    expect(codeOf(() => validateCashMovement({ ...move, reason: '  ' }))?.code).toBe('REASON_REQUIRED');
    expect(codeOf(() => validateCashMovement({ ...move, reason: 'x'.repeat(501) }))?.code).toBe('REASON_TOO_LONG');
    expect(codeOf(() => validateCashMovement({ ...move, shiftId: 'nope' }))?.code).toBe('SHIFT_NOT_FOUND');

    expect(codeOf(() => validateCloseShift({ shiftId: store, countedCash: '-0.01', idempotencyKey: 'k' }))?.code).toBe('INVALID_AMOUNT');
  });
});

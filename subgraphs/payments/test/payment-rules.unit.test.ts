import { Decimal, DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { initialState, type PaymentFacts, paymentStatus, planPayment, planRefund, summarize, validatePaymentRequest } from '../src/domain/payment.ts';

const d = (v: string) => new Decimal(v);
const captured = (amount: string, refundedAmount = '0'): PaymentFacts => ({
  state: d(refundedAmount).eq(amount) ? 'REFUNDED' : d(refundedAmount).gt(0) ? 'PARTIALLY_REFUNDED' : 'CAPTURED',
  amount,
  refundedAmount,
});

function codesOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((e) => e.code);
    throw error;
  }
  return [];
}

describe('order payment status', () => {
  it.each([
    ['100.00', '0', '0', 'UNPAID'],
    ['100.00', '40.00', '0', 'PARTIALLY_PAID'],
    ['100.00', '100.00', '0', 'PAID'],
    ['100.00', '100.01', '0', 'OVERPAID'],
    ['100.00', '100.00', '30.00', 'PARTIALLY_REFUNDED'],
    ['100.00', '40.00', '10.00', 'PARTIALLY_REFUNDED'],
    ['100.00', '100.00', '100.00', 'REFUNDED'],
    ['100.00', '120.00', '20.00', 'PAID'],
    ['0.00', '0', '0', 'PAID'],
  ])('total %s, captured %s, refunded %s is %s', (total, cap, ref, status) => {
    expect(paymentStatus(total, cap, ref)).toBe(status);
  });

  it('sums captured and refunded money and leaves pending money out of amountPaid', () => {
    const s = summarize('100.00', [
      captured('30.00', '10.00'),
      captured('20.00'),
      { state: 'PENDING', amount: '25.00', refundedAmount: '0' },
      { state: 'AUTHORIZED', amount: '5.00', refundedAmount: '0' },
    ]);
    expect(s.captured.toFixed(2)).toBe('50.00');
    expect(s.refunded.toFixed(2)).toBe('10.00');
    expect(s.amountPaid.toFixed(2)).toBe('40.00');
    expect(s.balanceDue.toFixed(2)).toBe('60.00');
    expect(s.inFlight.toFixed(2)).toBe('30.00');
    expect(s.open.toFixed(2)).toBe('30.00');
    expect(s.status).toBe('PARTIALLY_REFUNDED');
  });

  it('never reports a negative balance due', () => {
    expect(summarize('10.00', [captured('12.00')]).balanceDue.toFixed(2)).toBe('0.00');
  });
});

describe('payment requests', () => {
  it('rejects zero, negative and sub-cent amounts', () => {
    expect(codesOf(() => validatePaymentRequest({ method: 'CARD', amount: '0' }))).toEqual(['INVALID_AMOUNT']);
    expect(codesOf(() => validatePaymentRequest({ method: 'CARD', amount: '-5' }))).toEqual(['INVALID_AMOUNT']);
    expect(codesOf(() => validatePaymentRequest({ method: 'CARD', amount: '1.005' }))).toEqual(['INVALID_AMOUNT']);
    expect(validatePaymentRequest({ method: 'CARD', amount: '1.5' }).amount.toFixed(2)).toBe('1.50');
  });

  it('takes tendered for cash only, and not less than the amount', () => {
    expect(codesOf(() => validatePaymentRequest({ method: 'CARD', amount: '10', tendered: '20' }))).toEqual(['TENDERED_ONLY_FOR_CASH']);
    expect(codesOf(() => validatePaymentRequest({ method: 'CASH', amount: '10', tendered: '9.99' }))).toEqual(['TENDERED_TOO_LOW']);
    expect(codesOf(() => validatePaymentRequest({ method: 'CASH', amount: '0', tendered: '0.001' })).sort()).toEqual([
      'INVALID_AMOUNT',
      'INVALID_AMOUNT',
    ]);
  });

  it('starts each method in its state', () => {
    expect(initialState('CASH')).toBe('CAPTURED');
    expect(initialState('CARD')).toBe('CAPTURED');
    expect(initialState('VOUCHER')).toBe('CAPTURED');
    expect(initialState('BANK_TRANSFER')).toBe('PENDING');
    expect(initialState('ON_ACCOUNT')).toBe('AUTHORIZED');
  });
});

describe('cash change', () => {
  it('gives tendered minus amount back', () => {
    const plan = planPayment(validatePaymentRequest({ method: 'CASH', amount: '37.40', tendered: '50' }), '37.40', []);
    expect(plan).toMatchObject({ state: 'CAPTURED', viaProvider: false });
    expect(plan.amount.toFixed(2)).toBe('37.40');
    expect(plan.change?.toFixed(2)).toBe('12.60');
  });

  it('treats a missing tendered as exact cash', () => {
    const plan = planPayment(validatePaymentRequest({ method: 'CASH', amount: '20.00' }), '50.00', []);
    expect(plan.change?.toFixed(2)).toBe('0.00');
    expect(plan.tendered?.toFixed(2)).toBe('20.00');
  });

  it('applies a cash amount above the balance only up to it and turns the excess into change', () => {
    const plan = planPayment(validatePaymentRequest({ method: 'CASH', amount: '100.00', tendered: '100.00' }), '80.00', [captured('30.00')]);
    expect(plan.amount.toFixed(2)).toBe('50.00');
    expect(plan.change?.toFixed(2)).toBe('50.00');
  });
});

describe('the overpayment rule', () => {
  it('refuses a non-cash amount above what is left', () => {
    const request = validatePaymentRequest({ method: 'CARD', amount: '50.01' });
    expect(codesOf(() => planPayment(request, '100.00', [captured('50.00')]))).toEqual(['OVERPAYMENT']);
    expect(planPayment(validatePaymentRequest({ method: 'CARD', amount: '50.00' }), '100.00', [captured('50.00')]).viaProvider).toBe(true);
  });

  it('counts pending transfers and on-account authorizations against the total', () => {
    const existing: PaymentFacts[] = [{ state: 'PENDING', amount: '60.00', refundedAmount: '0' }];
    expect(codesOf(() => planPayment(validatePaymentRequest({ method: 'VOUCHER', amount: '40.01' }), '100.00', existing))).toEqual(['OVERPAYMENT']);
    expect(planPayment(validatePaymentRequest({ method: 'VOUCHER', amount: '40.00' }), '100.00', existing).state).toBe('CAPTURED');
  });

  it('refuses even cash once nothing is left to pay', () => {
    expect(codesOf(() => planPayment(validatePaymentRequest({ method: 'CASH', amount: '5' }), '10.00', [captured('10.00')]))).toEqual([
      'OVERPAYMENT',
    ]);
  });

  it('lets a refunded amount be paid again', () => {
    const plan = planPayment(validatePaymentRequest({ method: 'CARD', amount: '25.00' }), '100.00', [captured('100.00', '25.00')]);
    expect(plan.amount.toFixed(2)).toBe('25.00');
  });
});

describe('refund limits', () => {
  it('refunds up to what is left of the capture and moves the state', () => {
    const partial = planRefund(captured('80.00'), d('30.00'));
    expect(partial).toMatchObject({ state: 'PARTIALLY_REFUNDED' });
    expect(partial.refundedAmount.toFixed(2)).toBe('30.00');
    const rest = planRefund(captured('80.00', '30.00'), d('50.00'));
    expect(rest.state).toBe('REFUNDED');
    expect(rest.refundedAmount.toFixed(2)).toBe('80.00');
  });

  it('never refunds more than captured minus refunded', () => {
    expect(codesOf(() => planRefund(captured('80.00', '30.00'), d('50.01')))).toEqual(['REFUND_EXCEEDS_CAPTURED']);
    expect(codesOf(() => planRefund(captured('80.00'), d('80.01')))).toEqual(['REFUND_EXCEEDS_CAPTURED']);
  });

  it('refunds only captured payments', () => {
    for (const state of ['PENDING', 'AUTHORIZED', 'REFUNDED', 'FAILED', 'CANCELLED'] as const) {
      expect(codesOf(() => planRefund({ state, amount: '10.00', refundedAmount: state === 'REFUNDED' ? '10.00' : '0' }, d('1.00')))).toEqual([
        'NOT_REFUNDABLE',
      ]);
    }
  });
});

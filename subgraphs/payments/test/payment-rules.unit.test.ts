import { Decimal, DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  initialState,
  type PaymentFacts,
  paymentStatus,
  planPayment,
  planRefund,
  refundableAmount,
  summarize,
  validatePaymentRequest,
} from '../src/domain/payment.ts';
import { checkDecision, checkReason, needsApproval, type RefundFacts } from '../src/domain/refund.ts';

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

describe('split payments', () => {
  it('takes cash, card and a voucher on one order, each up to what is left, cash giving change', () => {
    const existing: PaymentFacts[] = [];
    const pay = (method: 'CASH' | 'CARD' | 'VOUCHER', amount: string, tendered?: string) => {
      const plan = planPayment(validatePaymentRequest({ method, amount, tendered }), '100.00', existing);
      existing.push({ state: plan.state, amount: plan.amount.toFixed(2), refundedAmount: '0' });
      return plan;
    };
    expect(pay('VOUCHER', '25.00').amount.toFixed(2)).toBe('25.00');
    expect(pay('CARD', '50.00').viaProvider).toBe(true);
    expect(codesOf(() => pay('VOUCHER', '25.01'))).toEqual(['OVERPAYMENT']);
    const cash = pay('CASH', '30.00', '30.00');
    expect([cash.amount.toFixed(2), cash.change?.toFixed(2)]).toEqual(['25.00', '5.00']);
    expect(summarize('100.00', existing).status).toBe('PAID');
  });

  it('holds a pending QR or wallet payment against the total until the provider settles it', () => {
    const existing: PaymentFacts[] = [{ state: 'PENDING', amount: '70.00', refundedAmount: '0' }];
    expect(codesOf(() => planPayment(validatePaymentRequest({ method: 'CARD', amount: '30.01' }), '100.00', existing))).toEqual(['OVERPAYMENT']);
    expect(summarize('100.00', [{ state: 'FAILED', amount: '70.00', refundedAmount: '0' }]).open.toFixed(2)).toBe('100.00');
  });
});

describe('refunds awaiting approval', () => {
  it('need approval above 5,000.00, not at it', () => {
    expect(needsApproval(d('5000.00'))).toBe(false);
    expect(needsApproval(d('5000.01'))).toBe(true);
    expect(needsApproval(d('100.00'), '50')).toBe(true);
  });

  it('hold their share of the payment: no other refund may take it', () => {
    expect(refundableAmount(captured('8000.00', '1000.00'), '6000.00').toFixed(2)).toBe('1000.00');
    expect(codesOf(() => planRefund(captured('8000.00'), d('2000.01'), '6000.00'))).toEqual(['REFUND_EXCEEDS_CAPTURED']);
    expect(planRefund(captured('8000.00'), d('2000.00'), '6000.00').state).toBe('PARTIALLY_REFUNDED');
  });

  it('are approved by someone other than who asked, and the same decision twice changes nothing', () => {
    const waiting: RefundFacts = { status: 'PENDING_APPROVAL', requestedBy: 'ana', approvedBy: null };
    expect(checkDecision(waiting, 'APPROVE', 'ion')).toBe('decide');
    expect(codesOf(() => checkDecision(waiting, 'APPROVE', 'ana'))).toEqual(['APPROVER_IS_REQUESTER']);
    expect(checkDecision(waiting, 'REJECT', 'ana')).toBe('decide');
    expect(checkDecision({ ...waiting, status: 'COMPLETED', approvedBy: 'ion' }, 'APPROVE', 'ion')).toBe('repeat');
    expect(checkDecision({ ...waiting, status: 'REJECTED' }, 'REJECT', 'ion')).toBe('repeat');
  });

  it('cannot be decided the other way once decided, nor approved when they never waited', () => {
    const base: RefundFacts = { status: 'COMPLETED', requestedBy: 'ana', approvedBy: 'ion' };
    expect(codesOf(() => checkDecision(base, 'REJECT', 'ion'))).toEqual(['REFUND_NOT_AWAITING_APPROVAL']);
    expect(codesOf(() => checkDecision({ ...base, status: 'REJECTED', approvedBy: null }, 'APPROVE', 'ion'))).toEqual([
      'REFUND_NOT_AWAITING_APPROVAL',
    ]);
    expect(codesOf(() => checkDecision({ ...base, approvedBy: null }, 'APPROVE', 'ion'))).toEqual(['REFUND_NOT_AWAITING_APPROVAL']);
  });

  it('keep a reason of 1 to 500 characters', () => {
    expect(checkReason('  damaged  ')).toBe('damaged');
    expect(codesOf(() => checkReason('   '))).toEqual(['REFUND_REASON_REQUIRED']);
    expect(codesOf(() => checkReason('x'.repeat(501)))).toEqual(['REFUND_REASON_REQUIRED']);
  });
});

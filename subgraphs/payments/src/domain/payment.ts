import { Decimal, type DecimalInput, DomainError, type UserError, userError } from '@comanda/kit';

export const PAYMENT_METHODS = ['CASH', 'CARD', 'QR_CODE', 'E_WALLET', 'BANK_TRANSFER', 'ON_ACCOUNT', 'VOUCHER'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentState = 'PENDING' | 'AUTHORIZED' | 'CAPTURED' | 'FAILED' | 'CANCELLED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';
export type PaymentStatus = 'UNPAID' | 'PARTIALLY_PAID' | 'PAID' | 'OVERPAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

/** Methods whose money moves through a payment provider; the others are settled in the shop or on paper. */
export const PROVIDER_METHODS: ReadonlySet<PaymentMethod> = new Set(['CARD', 'QR_CODE', 'E_WALLET']);

/** Money has been taken for these states (refunds later give part or all of it back). */
const CAPTURED_STATES: ReadonlySet<PaymentState> = new Set(['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
/** Not money yet, but promised against the order: a later capture must still fit in the total. */
const IN_FLIGHT_STATES: ReadonlySet<PaymentState> = new Set(['PENDING', 'AUTHORIZED']);
const REFUNDABLE_STATES: ReadonlySet<PaymentState> = new Set(['CAPTURED', 'PARTIALLY_REFUNDED']);

/**
 * The state a new payment is written in: a bank transfer waits for the bank, on-account waits for
 * the invoice. A provider may still answer `pending` for a CAPTURED method (QR, wallet): the
 * payment is then written PENDING and settled by the provider's webhook.
 */
export function initialState(method: PaymentMethod): 'CAPTURED' | 'PENDING' | 'AUTHORIZED' {
  if (method === 'BANK_TRANSFER') return 'PENDING';
  if (method === 'ON_ACCOUNT') return 'AUTHORIZED';
  return 'CAPTURED';
}

/** A positive amount with at most 2 decimals, or the problem with it. */
export function checkAmount(text: string, field: string[]): Decimal | UserError {
  let value: Decimal;
  try {
    value = new Decimal(text);
  } catch {
    return userError('INVALID_AMOUNT', 'the amount is not a number', field);
  }
  if (!value.isFinite() || value.lte(0)) return userError('INVALID_AMOUNT', 'the amount must be greater than zero', field);
  if (value.decimalPlaces() > 2) return userError('INVALID_AMOUNT', 'the amount has at most 2 decimals', field);
  return value;
}

export function parseAmount(text: string, field: string[]): Decimal {
  const checked = checkAmount(text, field);
  if (checked instanceof Decimal) return checked;
  throw DomainError.many([checked]);
}

export interface PaymentRequest {
  method: PaymentMethod;
  amount: Decimal;
  /** cash only; null means the exact amount was handed over */
  tendered: Decimal | null;
}

/** Checks the shape of a payment request, reporting every problem at once. */
export function validatePaymentRequest(input: { method: PaymentMethod; amount: string; tendered?: string | null }): PaymentRequest {
  const errors: UserError[] = [];
  const amount = checkAmount(input.amount, ['input', 'amount']);
  if (!(amount instanceof Decimal)) errors.push(amount);
  let tendered: Decimal | null = null;
  if (input.tendered !== null && input.tendered !== undefined) {
    if (input.method !== 'CASH') {
      errors.push(userError('TENDERED_ONLY_FOR_CASH', 'tendered is only for cash payments', ['input', 'tendered']));
    } else {
      const checked = checkAmount(input.tendered, ['input', 'tendered']);
      if (checked instanceof Decimal) tendered = checked;
      else errors.push(checked);
    }
  }
  if (amount instanceof Decimal && tendered && tendered.lt(amount)) {
    errors.push(
      userError('TENDERED_TOO_LOW', `the cash handed over (${tendered.toFixed(2)}) is less than the amount (${amount.toFixed(2)})`, [
        'input',
        'tendered',
      ]),
    );
  }
  if (errors.length || !(amount instanceof Decimal)) throw DomainError.many(errors);
  return { method: input.method, amount, tendered };
}

/** What payments already exist on the order, as far as the sums are concerned. */
export interface PaymentFacts {
  state: PaymentState;
  amount: DecimalInput;
  refundedAmount: DecimalInput;
}

export interface OrderPaymentSummary {
  captured: Decimal;
  refunded: Decimal;
  /** captured minus refunded */
  amountPaid: Decimal;
  /** pending transfers and provider payments, on-account authorizations: promised, not yet paid */
  inFlight: Decimal;
  /** max(total - amountPaid, 0) */
  balanceDue: Decimal;
  /** what a new payment may still claim: total - amountPaid - inFlight, never below zero */
  open: Decimal;
  status: PaymentStatus;
}

/**
 * The order's payment status from money actually moved. A full payment wins over an earlier
 * refund (paid again after a refund is PAID); a zero total is PAID, as nothing is due.
 */
export function paymentStatus(total: DecimalInput, captured: DecimalInput, refunded: DecimalInput): PaymentStatus {
  const due = new Decimal(total);
  const refundedSum = new Decimal(refunded);
  const paid = new Decimal(captured).minus(refundedSum);
  if (refundedSum.gt(0) && paid.lte(0)) return 'REFUNDED';
  if (paid.gt(due)) return 'OVERPAID';
  if (paid.eq(due)) return 'PAID';
  if (refundedSum.gt(0)) return 'PARTIALLY_REFUNDED';
  if (paid.isZero()) return 'UNPAID';
  return 'PARTIALLY_PAID';
}

export function summarize(total: DecimalInput, payments: readonly PaymentFacts[]): OrderPaymentSummary {
  const due = new Decimal(total);
  let captured = new Decimal(0);
  let refunded = new Decimal(0);
  let inFlight = new Decimal(0);
  for (const p of payments) {
    if (CAPTURED_STATES.has(p.state)) {
      captured = captured.plus(p.amount);
      refunded = refunded.plus(p.refundedAmount);
    } else if (IN_FLIGHT_STATES.has(p.state)) {
      inFlight = inFlight.plus(p.amount);
    }
  }
  const amountPaid = captured.minus(refunded);
  return {
    captured,
    refunded,
    amountPaid,
    inFlight,
    balanceDue: Decimal.max(due.minus(amountPaid), 0),
    open: Decimal.max(due.minus(amountPaid).minus(inFlight), 0),
    status: paymentStatus(due, captured, refunded),
  };
}

export interface PaymentPlan {
  method: PaymentMethod;
  state: 'CAPTURED' | 'PENDING' | 'AUTHORIZED';
  /** what is applied to the order */
  amount: Decimal;
  tendered: Decimal | null;
  change: Decimal | null;
  viaProvider: boolean;
}

/**
 * The overpayment rule. Nothing may claim more than the order's open amount (total minus what
 * is paid minus what is pending or authorized), so captures never exceed the total, also once
 * pending transfers settle. CASH is the exception in the customer's favour: a cash amount above
 * the open amount is applied only up to it, and everything handed over beyond that is change
 * (change = tendered - applied amount; tendered defaults to the amount).
 */
export function planPayment(request: PaymentRequest, total: DecimalInput, existing: readonly PaymentFacts[]): PaymentPlan {
  const { open } = summarize(total, existing);
  if (open.isZero()) throw new DomainError('OVERPAYMENT', 'the order has nothing left to pay', ['input', 'amount']);
  const state = initialState(request.method);
  if (request.method === 'CASH') {
    const tendered = request.tendered ?? request.amount;
    const applied = Decimal.min(request.amount, open);
    return { method: 'CASH', state, amount: applied, tendered, change: tendered.minus(applied), viaProvider: false };
  }
  if (request.amount.gt(open)) {
    throw new DomainError('OVERPAYMENT', `the amount exceeds what is left to pay on the order (${open.toFixed(2)})`, ['input', 'amount']);
  }
  return { method: request.method, state, amount: request.amount, tendered: null, change: null, viaProvider: PROVIDER_METHODS.has(request.method) };
}

export interface RefundPlan {
  refundedAmount: Decimal;
  state: 'REFUNDED' | 'PARTIALLY_REFUNDED';
}

/** What is left to give back: captured minus refunded minus refunds awaiting approval (they hold their share). */
export function refundableAmount(payment: PaymentFacts, awaitingApproval: DecimalInput = 0): Decimal {
  return Decimal.max(new Decimal(payment.amount).minus(payment.refundedAmount).minus(awaitingApproval), 0);
}

/**
 * Refunds give back captured money only, never more than is left of it; `awaitingApproval` is
 * the sum of the payment's other refunds still waiting for a decision.
 */
export function planRefund(payment: PaymentFacts, amount: Decimal, awaitingApproval: DecimalInput = 0): RefundPlan {
  if (!REFUNDABLE_STATES.has(payment.state)) {
    throw new DomainError('NOT_REFUNDABLE', `a ${payment.state} payment cannot be refunded: only captured payments can`, ['input', 'paymentId']);
  }
  const refundable = refundableAmount(payment, awaitingApproval);
  if (amount.gt(refundable)) {
    const held = new Decimal(awaitingApproval);
    const why = held.gt(0) ? ` (${held.toFixed(2)} is held by refunds awaiting approval)` : '';
    throw new DomainError('REFUND_EXCEEDS_CAPTURED', `at most ${refundable.toFixed(2)} of this payment can still be refunded${why}`, [
      'input',
      'amount',
    ]);
  }
  const refundedAmount = new Decimal(payment.refundedAmount).plus(amount);
  return { refundedAmount, state: refundedAmount.eq(payment.amount) ? 'REFUNDED' : 'PARTIALLY_REFUNDED' };
}

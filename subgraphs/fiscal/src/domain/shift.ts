import { Decimal, DomainError, roundMoney, UUID } from '@comanda/kit';
import type { CashMovementKind } from './z-report.ts';

/**
 * POS shifts. One shift is OPEN per store at a time: sales reach fiscal as order and payment
 * events that name the store, not the till, so the store is what a receipt can be attributed to
 * (docs/fiscal.md). OPEN -> CLOSED, once; a closed shift and its Z report never change.
 */

export const SHIFT_STATUSES = ['OPEN', 'CLOSED'] as const;
export type ShiftStatus = (typeof SHIFT_STATUSES)[number];
export const CASH_MOVEMENT_KINDS: readonly CashMovementKind[] = ['CASH_IN', 'CASH_OUT'];

/** Z reports are numbered per store without gaps and never restart (like a fiscal device's Z counter). */
export const Z_REPORT_SERIES = 'Z';
export const Z_REPORT_YEAR = 0;

const MAX_AMOUNT = new Decimal('1000000000');
const MAX_REASON = 500;

function field(name: string): string[] {
  return ['input', name];
}

export function shiftId(value: unknown, name = 'shiftId'): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new DomainError('SHIFT_NOT_FOUND', 'there is no such shift', field(name));
  return value.toLowerCase();
}

export function idempotencyKey(value: unknown): string {
  const key = typeof value === 'string' ? value.trim() : '';
  if (!key || key.length > 200)
    throw new DomainError('INVALID_IDEMPOTENCY_KEY', 'the idempotency key is 1 to 200 characters', field('idempotencyKey'));
  return key;
}

/** A cash amount: a decimal with at most 2 decimals, zero or more (or more than zero). */
export function cashAmount(value: unknown, name: string, { positive = false } = {}): Decimal {
  let d: Decimal;
  try {
    d = new Decimal(value as string);
  } catch {
    throw new DomainError('INVALID_AMOUNT', `${name} is not a decimal number`, field(name));
  }
  if (!d.isFinite() || d.isNegative() || (positive && d.isZero()) || d.greaterThan(MAX_AMOUNT) || !roundMoney(d).equals(d)) {
    throw new DomainError('INVALID_AMOUNT', `${name} is ${positive ? 'more than zero' : 'zero or more'}, with at most 2 decimals`, field(name));
  }
  return d;
}

export interface OpenShiftRequest {
  storeId: string;
  printerId: string;
  openingFloat: Decimal;
  idempotencyKey: string;
}

export function validateOpenShift(input: { storeId: unknown; printerId: unknown; openingFloat: unknown; idempotencyKey: unknown }): OpenShiftRequest {
  if (typeof input.storeId !== 'string' || !UUID.test(input.storeId))
    throw new DomainError('INVALID_STORE_ID', 'storeId is not a UUID', field('storeId'));
  if (typeof input.printerId !== 'string' || !UUID.test(input.printerId))
    throw new DomainError('PRINTER_NOT_FOUND', "there is no such printer in the shift's store", field('printerId'));
  return {
    storeId: input.storeId.toLowerCase(),
    printerId: input.printerId.toLowerCase(),
    openingFloat: cashAmount(input.openingFloat, 'openingFloat'),
    idempotencyKey: idempotencyKey(input.idempotencyKey),
  };
}

export interface CashMovementRequest {
  shiftId: string;
  kind: CashMovementKind;
  amount: Decimal;
  reason: string;
  idempotencyKey: string;
}

export function validateCashMovement(input: {
  shiftId: unknown;
  kind: unknown;
  amount: unknown;
  reason: unknown;
  idempotencyKey: unknown;
}): CashMovementRequest {
  const id = shiftId(input.shiftId);
  if (!CASH_MOVEMENT_KINDS.includes(input.kind as CashMovementKind))
    throw new DomainError('INVALID_CASH_MOVEMENT_KIND', 'kind is CASH_IN or CASH_OUT', field('kind'));
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) throw new DomainError('REASON_REQUIRED', 'say why cash goes in or out of the drawer', field('reason'));
  if (reason.length > MAX_REASON) throw new DomainError('REASON_TOO_LONG', `the reason has at most ${MAX_REASON} characters`, field('reason'));
  return {
    shiftId: id,
    kind: input.kind as CashMovementKind,
    amount: cashAmount(input.amount, 'amount', { positive: true }),
    reason,
    idempotencyKey: idempotencyKey(input.idempotencyKey),
  };
}

export interface CloseShiftRequest {
  shiftId: string;
  countedCash: Decimal;
  idempotencyKey: string;
}

export function validateCloseShift(input: { shiftId: unknown; countedCash: unknown; idempotencyKey: unknown }): CloseShiftRequest {
  return {
    shiftId: shiftId(input.shiftId),
    countedCash: cashAmount(input.countedCash, 'countedCash'),
    idempotencyKey: idempotencyKey(input.idempotencyKey),
  };
}

/** Cash can only move in and out of an open drawer, and a shift closes once. */
export function requireOpen(status: ShiftStatus): void {
  if (status !== 'OPEN') throw new DomainError('SHIFT_NOT_OPEN', 'the shift is closed', field('shiftId'));
}

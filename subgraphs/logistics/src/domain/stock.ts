/**
 * Stock rules without I/O: what a movement request may contain, which ledger entries it
 * becomes, and the stock arithmetic (on hand from the ledger, reserved from held reservations).
 */
import { Decimal, type DecimalInput, DomainError, type UserError, UUID, userError } from '@comanda/kit';

export const LOCATION_KINDS = ['STORE', 'WAREHOUSE'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export const LEDGER_KINDS = ['RECEIPT', 'SALE', 'ADJUSTMENT', 'TRANSFER_IN', 'TRANSFER_OUT', 'RETURN'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export const ADJUSTMENT_REASONS = ['STOCKTAKE', 'DAMAGED', 'LOST', 'EXPIRED', 'FOUND', 'CORRECTION'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export const RESERVATION_STATES = ['HELD', 'RELEASED', 'CONSUMED'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

export { UUID };

/** The same bounds as order line quantities (orders' INVALID_QUANTITY), so any sold quantity can be booked. */
const MAX_QUANTITY = new Decimal(1_000_000);
const MAX_DECIMALS = 3;
const MAX_KEY = 200;
const MAX_REFERENCE = 200;
const MAX_NOTE = 500;

/** A quantity to book: `positive` for receipts and transfers, `nonzero` (signed) for adjustments. */
export function checkQuantity(text: string, field: string[], sign: 'positive' | 'nonzero'): Decimal | UserError {
  const value = new Decimal(text);
  const wrongSign = sign === 'positive' ? value.lte(0) : value.isZero();
  if (wrongSign || value.abs().gt(MAX_QUANTITY) || value.decimalPlaces() > MAX_DECIMALS) {
    const what = sign === 'positive' ? 'more than 0' : 'not 0';
    return userError(
      'INVALID_QUANTITY',
      `quantity is ${what}, at most ${MAX_QUANTITY.toFixed()} in size, with at most ${MAX_DECIMALS} decimals`,
      field,
    );
  }
  return value;
}

export function checkIdempotencyKey(key: string, errors: UserError[]): string {
  const trimmed = key.trim();
  if (!trimmed || trimmed.length > MAX_KEY) {
    errors.push(userError('INVALID_IDEMPOTENCY_KEY', `the idempotency key is 1 to ${MAX_KEY} characters`, ['input', 'idempotencyKey']));
  }
  return trimmed;
}

function optionalText(value: string | null | undefined, max: number, code: string, field: string, errors: UserError[]): string | null {
  const trimmed = value?.trim() || null;
  if (trimmed && trimmed.length > max) errors.push(userError(code, `${field} has at most ${max} characters`, ['input', field]));
  return trimmed;
}

function checkId(value: string, code: string, what: string, field: string, errors: UserError[]): string {
  if (!UUID.test(value)) errors.push(userError(code, `no ${what} ${value}`, ['input', field]));
  return value.toLowerCase();
}

export type MovementType = 'RECEIPT' | 'ADJUSTMENT' | 'TRANSFER';

/** A validated stock movement: what the fingerprint and the ledger work on. */
export interface MovementRequest {
  type: MovementType;
  locationId: string;
  /** transfers only */
  toLocationId: string | null;
  variantId: string;
  /** signed for adjustments, positive otherwise */
  quantity: Decimal;
  reason: AdjustmentReason | null;
  reference: string | null;
  note: string | null;
  idempotencyKey: string;
}

export interface ReceiveInput {
  locationId: string;
  variantId: string;
  quantity: string;
  idempotencyKey: string;
  reference?: string | null;
  note?: string | null;
}

export interface AdjustInput {
  locationId: string;
  variantId: string;
  quantity: string;
  reason: AdjustmentReason;
  idempotencyKey: string;
  note?: string | null;
}

export interface TransferInput {
  fromLocationId: string;
  toLocationId: string;
  variantId: string;
  quantity: string;
  idempotencyKey: string;
  note?: string | null;
}

function finish(errors: UserError[], request: Omit<MovementRequest, 'quantity'> & { quantity: Decimal | UserError }): MovementRequest {
  const { quantity } = request;
  if (!(quantity instanceof Decimal)) errors.push(quantity);
  if (errors.length || !(quantity instanceof Decimal)) throw DomainError.many(errors);
  return { ...request, quantity };
}

/** Each check reports into one list, so a request with several problems hears of all of them. */
export function validateReceive(input: ReceiveInput): MovementRequest {
  const errors: UserError[] = [];
  return finish(errors, {
    type: 'RECEIPT',
    locationId: checkId(input.locationId, 'LOCATION_NOT_FOUND', 'stock location', 'locationId', errors),
    toLocationId: null,
    variantId: checkId(input.variantId, 'INVALID_VARIANT_ID', 'product variant', 'variantId', errors),
    quantity: checkQuantity(input.quantity, ['input', 'quantity'], 'positive'),
    reason: null,
    reference: optionalText(input.reference, MAX_REFERENCE, 'REFERENCE_TOO_LONG', 'reference', errors),
    note: optionalText(input.note, MAX_NOTE, 'NOTE_TOO_LONG', 'note', errors),
    idempotencyKey: checkIdempotencyKey(input.idempotencyKey, errors),
  });
}

export function validateAdjust(input: AdjustInput): MovementRequest {
  const errors: UserError[] = [];
  return finish(errors, {
    type: 'ADJUSTMENT',
    locationId: checkId(input.locationId, 'LOCATION_NOT_FOUND', 'stock location', 'locationId', errors),
    toLocationId: null,
    variantId: checkId(input.variantId, 'INVALID_VARIANT_ID', 'product variant', 'variantId', errors),
    quantity: checkQuantity(input.quantity, ['input', 'quantity'], 'nonzero'),
    reason: input.reason,
    reference: null,
    note: optionalText(input.note, MAX_NOTE, 'NOTE_TOO_LONG', 'note', errors),
    idempotencyKey: checkIdempotencyKey(input.idempotencyKey, errors),
  });
}

export function validateTransfer(input: TransferInput): MovementRequest {
  const errors: UserError[] = [];
  const from = checkId(input.fromLocationId, 'LOCATION_NOT_FOUND', 'stock location', 'fromLocationId', errors);
  const to = checkId(input.toLocationId, 'LOCATION_NOT_FOUND', 'stock location', 'toLocationId', errors);
  if (from === to) errors.push(userError('SAME_LOCATION', 'a transfer goes between two different locations', ['input', 'toLocationId']));
  return finish(errors, {
    type: 'TRANSFER',
    locationId: from,
    toLocationId: to,
    variantId: checkId(input.variantId, 'INVALID_VARIANT_ID', 'product variant', 'variantId', errors),
    quantity: checkQuantity(input.quantity, ['input', 'quantity'], 'positive'),
    reason: null,
    reference: null,
    note: optionalText(input.note, MAX_NOTE, 'NOTE_TOO_LONG', 'note', errors),
    idempotencyKey: checkIdempotencyKey(input.idempotencyKey, errors),
  });
}

/** What tells a replay from a different request under the same key: the movement, not its key. */
export function movementFingerprint(request: MovementRequest): Record<string, unknown> {
  return {
    type: request.type,
    locationId: request.locationId,
    toLocationId: request.toLocationId,
    variantId: request.variantId,
    quantity: request.quantity.toFixed(),
    reason: request.reason,
    reference: request.reference,
    note: request.note,
  };
}

export interface PlannedEntry {
  kind: LedgerKind;
  locationId: string;
  quantity: Decimal;
  /**
   * What must cover an outgoing entry: `onHand` for adjustments (a count may take away reserved
   * goods: they are not there), `available` for transfers (goods promised to orders stay put).
   */
  guard: 'onHand' | 'available' | null;
}

export function plannedEntries(request: MovementRequest): PlannedEntry[] {
  switch (request.type) {
    case 'RECEIPT':
      return [{ kind: 'RECEIPT', locationId: request.locationId, quantity: request.quantity, guard: null }];
    case 'ADJUSTMENT':
      return [
        { kind: 'ADJUSTMENT', locationId: request.locationId, quantity: request.quantity, guard: request.quantity.isNegative() ? 'onHand' : null },
      ];
    case 'TRANSFER':
      return [
        { kind: 'TRANSFER_OUT', locationId: request.locationId, quantity: request.quantity.negated(), guard: 'available' },
        { kind: 'TRANSFER_IN', locationId: request.toLocationId!, quantity: request.quantity, guard: null },
      ];
  }
}

export interface StockFigures {
  onHand: Decimal;
  reserved: Decimal;
  available: Decimal;
}

export function stockFigures(onHand: DecimalInput, reserved: DecimalInput): StockFigures {
  const have = new Decimal(onHand);
  const held = new Decimal(reserved);
  return { onHand: have, reserved: held, available: have.minus(held) };
}

/** INSUFFICIENT_STOCK when the entry would take more than its guard figure holds. */
export function checkCovered(entry: PlannedEntry, figures: StockFigures): UserError | null {
  if (!entry.guard || !entry.quantity.isNegative()) return null;
  const have = figures[entry.guard];
  const take = entry.quantity.negated();
  if (take.lte(have)) return null;
  const what = entry.guard === 'onHand' ? 'on hand' : 'available (on hand and not reserved)';
  return userError('INSUFFICIENT_STOCK', `cannot take ${take.toFixed()}: only ${Decimal.max(have, 0).toFixed()} ${what} at the location`, [
    'input',
    'quantity',
  ]);
}

/** Quantities on the wire: plain decimals without trailing zeros ("12", "0.5"). */
export const plainQuantity = (value: DecimalInput): string => new Decimal(value).toFixed();

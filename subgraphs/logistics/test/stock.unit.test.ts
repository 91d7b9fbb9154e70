import { Decimal, DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  checkCovered,
  movementFingerprint,
  plannedEntries,
  stockFigures,
  validateAdjust,
  validateReceive,
  validateTransfer,
} from '../src/domain/stock.ts';

const LOC_A = '0193a000-0000-7000-8000-00000000000a';
const LOC_B = '0193a000-0000-7000-8000-00000000000b';
const VARIANT = '0193a000-0000-7000-8000-0000000000f1';

function errorsOf(work: () => unknown): { code: string; field: string[] | null }[] {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((e) => ({ code: e.code, field: e.field }));
    throw error;
  }
  return [];
}

const receive = (quantity: string, extra: Record<string, unknown> = {}) =>
  validateReceive({ locationId: LOC_A, variantId: VARIANT, quantity, idempotencyKey: 'k1', ...extra });

describe('movement requests', () => {
  it.each(['0', '-1', '0.0001', '1000000.001', '1000001'])('refuses to receive %s with INVALID_QUANTITY', (quantity) => {
    expect(errorsOf(() => receive(quantity))).toEqual([{ code: 'INVALID_QUANTITY', field: ['input', 'quantity'] }]);
  });

  it.each(['1', '0.001', '12.5', '1000000'])('receives %s', (quantity) => {
    expect(receive(quantity).quantity.eq(quantity)).toBe(true);
  });

  it('takes a signed adjustment but not 0', () => {
    const base = { locationId: LOC_A, variantId: VARIANT, reason: 'DAMAGED' as const, idempotencyKey: 'k' };
    expect(validateAdjust({ ...base, quantity: '-3' }).quantity.toFixed()).toBe('-3');
    expect(validateAdjust({ ...base, quantity: '2.5' }).quantity.toFixed()).toBe('2.5');
    expect(errorsOf(() => validateAdjust({ ...base, quantity: '0' })).map((e) => e.code)).toEqual(['INVALID_QUANTITY']);
    expect(errorsOf(() => validateAdjust({ ...base, quantity: '-1000001' })).map((e) => e.code)).toEqual(['INVALID_QUANTITY']);
  });

  it('reports every problem of a request at once', () => {
    const errors = errorsOf(() =>
      validateReceive({
        locationId: 'nope',
        variantId: 'nope',
        quantity: '0',
        idempotencyKey: ' ',
        note: 'x'.repeat(501),
        reference: 'r'.repeat(201),
      }),
    );
    expect(errors.map((e) => e.code).sort()).toEqual(
      ['INVALID_IDEMPOTENCY_KEY', 'INVALID_QUANTITY', 'INVALID_VARIANT_ID', 'LOCATION_NOT_FOUND', 'NOTE_TOO_LONG', 'REFERENCE_TOO_LONG'].sort(),
    );
    expect(errors.find((e) => e.code === 'LOCATION_NOT_FOUND')?.field).toEqual(['input', 'locationId']);
  });

  it('refuses a transfer to the same location, naming both location fields when malformed', () => {
    const base = { variantId: VARIANT, quantity: '1', idempotencyKey: 'k' };
    expect(errorsOf(() => validateTransfer({ ...base, fromLocationId: LOC_A, toLocationId: LOC_A.toUpperCase() }))).toEqual([
      { code: 'SAME_LOCATION', field: ['input', 'toLocationId'] },
    ]);
    expect(errorsOf(() => validateTransfer({ ...base, fromLocationId: 'x', toLocationId: 'y' }))).toEqual([
      { code: 'LOCATION_NOT_FOUND', field: ['input', 'fromLocationId'] },
      { code: 'LOCATION_NOT_FOUND', field: ['input', 'toLocationId'] },
    ]);
  });

  it('fingerprints the movement, not its spelling: "5" and "5.000" are the same request, blank notes are no note', () => {
    expect(movementFingerprint(receive('5', { note: '  ' }))).toEqual(movementFingerprint(receive('5.000')));
    expect(movementFingerprint(receive('5'))).not.toEqual(movementFingerprint(receive('6')));
    expect(movementFingerprint(receive('5', { idempotencyKey: 'other' }))).toEqual(movementFingerprint(receive('5')));
  });
});

describe('ledger entries of a movement', () => {
  it('a receipt adds, an adjustment keeps its sign, a transfer takes from one and adds to the other', () => {
    expect(plannedEntries(receive('4')).map((e) => [e.kind, e.locationId, e.quantity.toFixed(), e.guard])).toEqual([['RECEIPT', LOC_A, '4', null]]);
    const base = { locationId: LOC_A, variantId: VARIANT, reason: 'LOST' as const, idempotencyKey: 'k' };
    expect(plannedEntries(validateAdjust({ ...base, quantity: '-2' })).map((e) => [e.kind, e.quantity.toFixed(), e.guard])).toEqual([
      ['ADJUSTMENT', '-2', 'onHand'],
    ]);
    expect(plannedEntries(validateAdjust({ ...base, quantity: '2' })).map((e) => e.guard)).toEqual([null]);
    const transfer = validateTransfer({ fromLocationId: LOC_A, toLocationId: LOC_B, variantId: VARIANT, quantity: '3', idempotencyKey: 'k' });
    expect(plannedEntries(transfer).map((e) => [e.kind, e.locationId, e.quantity.toFixed(), e.guard])).toEqual([
      ['TRANSFER_OUT', LOC_A, '-3', 'available'],
      ['TRANSFER_IN', LOC_B, '3', null],
    ]);
  });
});

describe('stock arithmetic', () => {
  it('available is on hand minus reserved, and may go negative when more was promised', () => {
    const f = stockFigures('10.5', '4');
    expect([f.onHand.toFixed(), f.reserved.toFixed(), f.available.toFixed()]).toEqual(['10.5', '4', '6.5']);
    expect(stockFigures('1', '3').available.toFixed()).toBe('-2');
  });

  it('an adjustment may take reserved goods (a count found them missing) but never more than on hand', () => {
    const figures = stockFigures('10', '8');
    const take = (q: string) => ({ kind: 'ADJUSTMENT' as const, locationId: LOC_A, quantity: new Decimal(q), guard: 'onHand' as const });
    expect(checkCovered(take('-10'), figures)).toBeNull();
    expect(checkCovered(take('-10.001'), figures)).toMatchObject({ code: 'INSUFFICIENT_STOCK', field: ['input', 'quantity'] });
  });

  it('a transfer moves only what is available', () => {
    const figures = stockFigures('10', '8');
    const out = (q: string) => ({ kind: 'TRANSFER_OUT' as const, locationId: LOC_A, quantity: new Decimal(q), guard: 'available' as const });
    expect(checkCovered(out('-2'), figures)).toBeNull();
    expect(checkCovered(out('-3'), figures)?.message).toBe('cannot take 3: only 2 available (on hand and not reserved) at the location');
    expect(checkCovered(out('-1'), stockFigures('1', '5'))?.message).toMatch(/only 0 available/);
  });

  it('incoming entries need no cover', () => {
    expect(checkCovered({ kind: 'RECEIPT', locationId: LOC_A, quantity: new Decimal(5), guard: null }, stockFigures('0', '9'))).toBeNull();
  });
});

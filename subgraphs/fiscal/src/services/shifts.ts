import { DomainError, type EntityManager, fingerprint, type Identity } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_CURRENCY } from '../domain/documents.ts';
import { requireOpen, validateCashMovement, validateCloseShift, validateOpenShift, Z_REPORT_SERIES, Z_REPORT_YEAR } from '../domain/shift.ts';
import type { VatLine } from '../domain/vat.ts';
import { computeZReport, type ZCashMovement, type ZReceipt, type ZRefund } from '../domain/z-report.ts';
import { CashMovement, type CashMovementRow, Printer, PrintJob, type PrintJobRow, Shift, type ShiftRow, StoreSetting } from '../entities.ts';
import { publishCashMovementRecorded, publishShiftClosed, publishShiftOpened } from '../events.ts';
import { nextSequence, tenantOf } from './common.ts';
import { queuePrintJob } from './print-jobs.ts';

/**
 * POS shifts (domain/shift.ts): open with a float, move cash, close with the counted cash and
 * a Z report frozen on the shift and queued for the shift's printer. Every write takes a client
 * key: a replay returns the first result, the same key for another request is
 * IDEMPOTENCY_CONFLICT. Writes to one shift run one at a time (a row lock), and so do a close
 * and the receipts being issued into that shift (lockOpenShiftForSale).
 */

/** Checks the caller may act in the store (throws FORBIDDEN otherwise). */
export type Authorize = (storeId: string) => void;

const conflict = () =>
  new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different request', ['input', 'idempotencyKey']);

const notFound = () => new DomainError('SHIFT_NOT_FOUND', 'there is no such shift', ['input', 'shiftId']);

function lockShift(tx: EntityManager, id: string): Promise<ShiftRow | null> {
  return tx.findOne(Shift, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/**
 * The store's open shift, share-locked until the caller's transaction ends: a close waits for
 * the receipts (and refunds) being attributed to it, and one that arrives after the close finds
 * no open shift. Null when no shift is open.
 */
export async function lockOpenShiftForSale(tx: EntityManager, storeId: string): Promise<string | null> {
  const rows = await tx.execute<{ id: string }[]>(`select id from shift where store_id = ? and status = 'OPEN' for share`, [storeId]);
  return rows[0]?.id ?? null;
}

export async function openShift(
  tx: EntityManager,
  identity: Identity,
  input: { storeId: string; printerId: string; openingFloat: string; idempotencyKey: string },
  authorize: Authorize,
): Promise<ShiftRow> {
  const request = validateOpenShift(input);
  const requestFingerprint = fingerprint({ storeId: request.storeId, printerId: request.printerId, openingFloat: request.openingFloat.toFixed(2) });
  const earlier = await tx.findOne(Shift, { openKey: request.idempotencyKey }, { refresh: true });
  if (earlier) {
    authorize(earlier.storeId);
    if (earlier.openFingerprint !== requestFingerprint) throw conflict();
    return earlier;
  }
  authorize(request.storeId);
  const printer = await tx.findOne(Printer, { id: request.printerId });
  if (printer?.storeId !== request.storeId) {
    throw new DomainError('PRINTER_NOT_FOUND', "there is no such printer in the shift's store", ['input', 'printerId']);
  }
  const open = await tx.findOne(Shift, { storeId: request.storeId, status: 'OPEN' }, { refresh: true });
  if (open) throw new DomainError('SHIFT_ALREADY_OPEN', `the store already has an open shift (${open.id}): close it first`, ['input', 'storeId']);
  const setting = await tx.findOne(StoreSetting, { storeId: request.storeId });
  const shift = tx.create(Shift, {
    id: uuidv7(),
    tenantId: tenantOf(tx),
    storeId: request.storeId,
    printerId: printer.id,
    status: 'OPEN',
    currency: setting?.currency ?? DEFAULT_CURRENCY,
    openingFloat: request.openingFloat.toFixed(2),
    openedAt: new Date(),
    openedBy: identity.userId,
    openKey: request.idempotencyKey,
    openFingerprint: requestFingerprint,
    closedAt: null,
    closedBy: null,
    closeKey: null,
    closeFingerprint: null,
    countedCash: null,
    zNumber: null,
    zReport: null,
  });
  // a concurrent open of the same store (or the same key) fails here on a unique index; the retry replays or refuses
  await tx.flush();
  await publishShiftOpened(tx, shift);
  return shift;
}

export async function recordCashMovement(
  tx: EntityManager,
  identity: Identity,
  input: { shiftId: string; kind: string; amount: string; reason: string; idempotencyKey: string },
  authorize: Authorize,
): Promise<{ shift: ShiftRow; cashMovement: CashMovementRow }> {
  const request = validateCashMovement(input);
  const requestFingerprint = fingerprint({ shiftId: request.shiftId, kind: request.kind, amount: request.amount.toFixed(2), reason: request.reason });
  const replay = async () => {
    const earlier = await tx.findOne(CashMovement, { idempotencyKey: request.idempotencyKey }, { refresh: true });
    if (!earlier) return null;
    const shift = await tx.findOneOrFail(Shift, { id: earlier.shiftId });
    authorize(shift.storeId);
    if (earlier.requestFingerprint !== requestFingerprint) throw conflict();
    return { shift, cashMovement: earlier };
  };
  const first = await replay();
  if (first) return first;
  const shift = await lockShift(tx, request.shiftId);
  if (!shift) throw notFound();
  authorize(shift.storeId);
  // an identical request may have committed while this one waited for the lock
  const raced = await replay();
  if (raced) return raced;
  requireOpen(shift.status);
  const movement = tx.create(CashMovement, {
    id: uuidv7(),
    tenantId: shift.tenantId,
    shiftId: shift.id,
    kind: request.kind,
    amount: request.amount.toFixed(2),
    reason: request.reason,
    at: new Date(),
    createdBy: identity.userId,
    idempotencyKey: request.idempotencyKey,
    requestFingerprint,
  });
  await tx.flush();
  await publishCashMovementRecorded(tx, shift, movement);
  return { shift, cashMovement: movement };
}

interface ReceiptFigures {
  total: string;
  vat_breakdown: VatLine[];
  payments: { method: string; amount: string }[];
  discount_total: string;
}

/** What the shift saw, read inside the close's transaction after the shift's lock was taken. */
async function shiftActivity(tx: EntityManager, id: string): Promise<{ receipts: ZReceipt[]; refunds: ZRefund[]; cashMovements: ZCashMovement[] }> {
  const receipts = await tx.execute<ReceiptFigures[]>('select total, vat_breakdown, payments, discount_total from receipt where shift_id = ?', [id]);
  const refunds = await tx.execute<ZRefund[]>('select method, amount from shift_refund where shift_id = ?', [id]);
  const cashMovements = await tx.execute<ZCashMovement[]>('select kind, amount from cash_movement where shift_id = ?', [id]);
  return {
    receipts: receipts.map((r) => ({ total: r.total, vatBreakdown: r.vat_breakdown, payments: r.payments, discount: r.discount_total })),
    refunds,
    cashMovements,
  };
}

function zReportJob(tx: EntityManager, shift: ShiftRow): Promise<PrintJobRow | null> {
  return tx.findOne(PrintJob, { shiftId: shift.id, copy: false }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export async function closeShift(
  tx: EntityManager,
  identity: Identity,
  input: { shiftId: string; countedCash: string; idempotencyKey: string },
  authorize: Authorize,
): Promise<{ shift: ShiftRow; printJob: PrintJobRow | null }> {
  const request = validateCloseShift(input);
  const requestFingerprint = fingerprint({ shiftId: request.shiftId, countedCash: request.countedCash.toFixed(2) });
  const shift = await lockShift(tx, request.shiftId);
  if (!shift) throw notFound();
  authorize(shift.storeId);
  if (shift.closeKey === request.idempotencyKey) {
    if (shift.closeFingerprint !== requestFingerprint) throw conflict();
    return { shift, printJob: await zReportJob(tx, shift) };
  }
  const keyElsewhere = await tx.findOne(Shift, { closeKey: request.idempotencyKey });
  if (keyElsewhere) throw conflict();
  requireOpen(shift.status);

  const activity = await shiftActivity(tx, shift.id);
  const figures = computeZReport({ openingFloat: shift.openingFloat, countedCash: request.countedCash, ...activity });
  shift.status = 'CLOSED';
  shift.closedAt = new Date();
  shift.closedBy = identity.userId;
  shift.closeKey = request.idempotencyKey;
  shift.closeFingerprint = requestFingerprint;
  shift.countedCash = figures.countedCash;
  shift.zNumber = await nextSequence(tx, shift.tenantId, shift.storeId, Z_REPORT_SERIES, Z_REPORT_YEAR);
  shift.zReport = figures;
  await tx.flush();
  await publishShiftClosed(tx, shift);
  const printer = await tx.findOneOrFail(Printer, { id: shift.printerId });
  return { shift, printJob: await queuePrintJob(tx, printer, { shiftId: shift.id }, false) };
}

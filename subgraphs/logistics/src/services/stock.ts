import {
  canUseStore,
  DomainError,
  type EntityManager,
  fingerprint,
  type Identity,
  type Payload,
  retryOnConflict,
  runMutation,
  type UserError,
  userError,
} from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import {
  type AdjustInput,
  checkCovered,
  type MovementRequest,
  movementFingerprint,
  plannedEntries,
  type ReceiveInput,
  type TransferInput,
  validateAdjust,
  validateReceive,
  validateTransfer,
} from '../domain/stock.ts';
import { InventoryEntry, type InventoryEntryRow, StockLocation, type StockLocationRow } from '../entities.ts';
import { appendEntries, lockStock, type NewEntry, stockFiguresOf, stockKey } from './ledger.ts';

export type StockMovementPayload = Payload<{ entries: InventoryEntryRow[] }> & { replayed: boolean };

/** Warehouses of the whole tenant (no store) are for tokens that are not bound to stores. */
export function canUseLocation(identity: Identity, location: Pick<StockLocationRow, 'storeId'>): boolean {
  return location.storeId ? canUseStore(identity, location.storeId) : identity.storeIds === null;
}

export const receiveStock = (em: EntityManager, identity: Identity, input: ReceiveInput) => moveStock(em, identity, () => validateReceive(input));
export const adjustStock = (em: EntityManager, identity: Identity, input: AdjustInput) => moveStock(em, identity, () => validateAdjust(input));
export const transferStock = (em: EntityManager, identity: Identity, input: TransferInput) => moveStock(em, identity, () => validateTransfer(input));

/**
 * One stock movement in one transaction: validated, its locations checked against the caller's
 * stores, serialized with every other writer of the same stock, checked against what is there,
 * then booked. A replay under the same key returns the first movement's entries.
 */
async function moveStock(em: EntityManager, identity: Identity, validate: () => MovementRequest): Promise<StockMovementPayload> {
  const result = await retryOnConflict(() => runMutation(em, { entries: null, replayed: null }, (tx) => attempt(tx, identity, validate())));
  // replayed is non-null in the schema: a refused request replayed nothing
  return { ...result, replayed: result.replayed ?? false };
}

async function attempt(tx: EntityManager, identity: Identity, request: MovementRequest) {
  const requestFingerprint = fingerprint(movementFingerprint(request));
  const locations = await usableLocations(tx, identity, request);
  const replay = async () => {
    const first = await tx.findOne(InventoryEntry, { idempotencyKey: request.idempotencyKey }, { refresh: true });
    if (!first) return null;
    if (first.requestFingerprint !== requestFingerprint) {
      throw new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different request', ['input', 'idempotencyKey']);
    }
    const entries = await tx.find(InventoryEntry, { movementId: first.movementId }, { orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true });
    return { entries, replayed: true };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  const planned = plannedEntries(request);
  const keys = planned.map((p) => ({ locationId: p.locationId, variantId: request.variantId }));
  await lockStock(tx, keys);
  // an identical request may have committed while this one waited for the lock
  const raced = await replay();
  if (raced) return raced;

  const before = await stockFiguresOf(tx, keys);
  const shortages = planned
    .map((p) => checkCovered(p, before.get(stockKey({ locationId: p.locationId, variantId: request.variantId }))!))
    .filter((e): e is UserError => e !== null);
  if (shortages.length) throw DomainError.many(shortages);

  const movementId = uuidv7();
  const entries: NewEntry[] = planned.map((p, i) => ({
    kind: p.kind,
    locationId: p.locationId,
    variantId: request.variantId,
    quantity: p.quantity,
    reason: request.reason,
    reference: request.reference,
    note: request.note,
    // the caller's key claims the movement; the other entries get keys of their own
    idempotencyKey: i === 0 ? request.idempotencyKey : `${p.kind.toLowerCase()}:${movementId}`,
    requestFingerprint,
  }));
  const rows = await appendEntries(tx, { tenantId: identity.tenantId, actor: identity.userId, movementId, entries, locations, before });
  return { entries: rows, replayed: false };
}

/** A location outside the caller's stores is as unknown as one that does not exist. */
async function usableLocations(tx: EntityManager, identity: Identity, request: MovementRequest): Promise<Map<string, StockLocationRow>> {
  const wanted = [
    { id: request.locationId, field: request.type === 'TRANSFER' ? 'fromLocationId' : 'locationId' },
    ...(request.toLocationId ? [{ id: request.toLocationId, field: 'toLocationId' }] : []),
  ];
  const found = await tx.find(StockLocation, { id: { $in: wanted.map((w) => w.id) } });
  const usable = new Map(found.filter((l) => canUseLocation(identity, l)).map((l) => [l.id, l]));
  const missing = wanted
    .filter((w) => !usable.has(w.id))
    .map((w) => userError('LOCATION_NOT_FOUND', `no stock location ${w.id}`, ['input', w.field]));
  if (missing.length) throw DomainError.many(missing);
  return usable;
}

/**
 * The only way entries get into the inventory ledger: under a lock per (location, variant), with
 * the figures before the write in hand, and a `stock.*` event per entry in the same transaction.
 */
import type { Decimal } from '@comanda/kit';
import { type EntityManager, recordEvent } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { type AdjustmentReason, type LedgerKind, plainQuantity, type StockFigures, stockFigures } from '../domain/stock.ts';
import { InventoryEntry, type InventoryEntryRow, type StockLocationRow } from '../entities.ts';

export interface StockKey {
  locationId: string;
  variantId: string;
}

/** Also the `stock` aggregate's id (and `stockId` in its events): events of one location and variant are ordered. */
export const stockKey = (key: StockKey): string => `${key.locationId}:${key.variantId}`;

/**
 * Serializes writers of the same stock until the transaction ends, so a check against on hand
 * or available cannot be overtaken by a concurrent write. Sorted, so two writers touching the
 * same pairs never wait for each other in a cycle.
 */
export async function lockStock(tx: EntityManager, keys: readonly StockKey[]): Promise<void> {
  const distinct = [...new Set(keys.map(stockKey))].sort();
  for (const key of distinct) await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`logistics:stock:${key}`]);
}

/** On hand (ledger) and reserved (held reservations) of each pair, in one statement. */
export async function stockFiguresOf(em: EntityManager, keys: readonly StockKey[]): Promise<Map<string, StockFigures>> {
  const figures = new Map<string, StockFigures>();
  if (!keys.length) return figures;
  const rows = await em.execute<{ location_id: string; variant_id: string; on_hand: string; reserved: string }[]>(
    `select k.location_id::text as location_id, k.variant_id::text as variant_id,
       (select coalesce(sum(e.quantity), 0) from inventory_ledger e
         where e.location_id = k.location_id and e.variant_id = k.variant_id)::text as on_hand,
       (select coalesce(sum(r.quantity), 0) from stock_reservation r
         where r.location_id = k.location_id and r.variant_id = k.variant_id and r.state = 'HELD')::text as reserved
     from (values ${keys.map(() => '(?::uuid, ?::uuid)').join(', ')}) k (location_id, variant_id)`,
    keys.flatMap((k) => [k.locationId, k.variantId]),
  );
  for (const row of rows) figures.set(stockKey({ locationId: row.location_id, variantId: row.variant_id }), stockFigures(row.on_hand, row.reserved));
  return figures;
}

export interface NewEntry extends StockKey {
  kind: LedgerKind;
  quantity: Decimal;
  reason: AdjustmentReason | null;
  reference: string | null;
  note: string | null;
  idempotencyKey: string;
  requestFingerprint: string | null;
}

const EVENT_OF_KIND: Record<LedgerKind, string> = {
  RECEIPT: 'received',
  SALE: 'sold',
  ADJUSTMENT: 'adjusted',
  TRANSFER_IN: 'transferred_in',
  TRANSFER_OUT: 'transferred_out',
  RETURN: 'returned',
};

export interface AppendOptions {
  tenantId: string;
  /** groups the entries of one request (a transfer's out and in) */
  movementId: string;
  actor: string;
  entries: readonly NewEntry[];
  /** every location the entries touch */
  locations: ReadonlyMap<string, StockLocationRow>;
  /** the figures before the write, read under lockStock */
  before: ReadonlyMap<string, StockFigures>;
}

/** Writes the entries of one movement and their events; the caller holds the locks. */
export async function appendEntries(tx: EntityManager, options: AppendOptions): Promise<InventoryEntryRow[]> {
  const { movementId } = options;
  const now = new Date();
  const running = new Map(options.before);
  const written = options.entries.map((entry) => {
    const row = tx.create(InventoryEntry, {
      id: uuidv7(),
      tenantId: options.tenantId,
      movementId,
      locationId: entry.locationId,
      variantId: entry.variantId,
      kind: entry.kind,
      quantity: entry.quantity.toFixed(),
      reason: entry.reason,
      reference: entry.reference,
      note: entry.note,
      idempotencyKey: entry.idempotencyKey,
      requestFingerprint: entry.requestFingerprint,
      actor: options.actor,
      createdAt: now,
    });
    const key = stockKey(entry);
    const was = running.get(key) ?? stockFigures(0, 0);
    const after = stockFigures(was.onHand.plus(entry.quantity), was.reserved);
    running.set(key, after);
    return { row, after };
  });
  await tx.flush();
  for (const { row, after } of written) {
    await recordEvent(tx, 'logistics', {
      aggregateType: 'stock',
      aggregateId: stockKey(row),
      event: EVENT_OF_KIND[row.kind],
      tenantId: options.tenantId,
      storeId: options.locations.get(row.locationId)?.storeId ?? null,
      data: {
        stockId: stockKey(row),
        entryId: row.id,
        movementId: row.movementId,
        kind: row.kind,
        locationId: row.locationId,
        storeId: options.locations.get(row.locationId)?.storeId ?? null,
        variantId: row.variantId,
        quantity: plainQuantity(row.quantity),
        onHand: plainQuantity(after.onHand),
        available: plainQuantity(after.available),
        reason: row.reason,
        reference: row.reference,
        note: row.note,
        actor: row.actor,
      },
    });
  }
  return written.map((w) => w.row);
}

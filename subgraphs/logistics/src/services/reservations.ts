/**
 * An order's stock: held at its store's location when it is placed, released when it is
 * cancelled, booked as sold when the goods leave (see reactions.ts for when). Callers run inside
 * the event's transaction; every state change is serialized on the order's row.
 */
import { Decimal, type EntityManager, recordEvent } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { plainQuantity, UUID } from '../domain/stock.ts';
import { OrderRef, type OrderRefRow, StockLocation, StockReservation, type StockReservationRow } from '../entities.ts';
import type { PlacedOrder } from '../events.ts';
import { appendEntries, lockStock, stockFiguresOf, stockKey } from './ledger.ts';

const SYSTEM_ACTOR = 'system:orders';

/**
 * Remembers the order and holds its lines at the store's location (its STORE location first).
 * Stock is held even when too little is available: the order exists; the shortage is reported
 * in the event for whoever restocks. A redelivered event finds the order known and does nothing.
 */
export async function reserveForOrder(tx: EntityManager, tenantId: string, order: PlacedOrder, placedAt: Date): Promise<void> {
  // STORE sorts before WAREHOUSE: the shop's own shelves first
  const [location] = await tx.find(StockLocation, { storeId: order.storeId }, { orderBy: { kind: 'asc', createdAt: 'asc', id: 'asc' }, limit: 1 });
  const known = await tx.execute<{ order_id: string }[]>(
    `insert into order_ref (tenant_id, order_id, store_id, channel, currency, total, status, location_id, placed_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (tenant_id, order_id) do nothing returning order_id`,
    [tenantId, order.orderId, order.storeId, order.channel, order.currency, order.total, order.status, location?.id ?? null, placedAt],
  );
  if (!known.length || !location || !order.lines.length) return;

  const keys = order.lines.map((l) => ({ locationId: location.id, variantId: l.variantId }));
  await lockStock(tx, keys);
  const before = await stockFiguresOf(tx, keys);
  const now = new Date();
  for (const line of order.lines) {
    tx.create(StockReservation, {
      id: uuidv7(),
      tenantId,
      orderId: order.orderId,
      lineId: line.lineId,
      locationId: location.id,
      variantId: line.variantId,
      quantity: line.quantity.toFixed(),
      state: 'HELD',
      createdAt: now,
      updatedAt: now,
    });
  }
  await tx.flush();

  const requested = new Map<string, Decimal>();
  for (const line of order.lines) requested.set(line.variantId, (requested.get(line.variantId) ?? new Decimal(0)).plus(line.quantity));
  const shortages = [...requested]
    .map(([variantId, quantity]) => ({ variantId, quantity, available: before.get(stockKey({ locationId: location.id, variantId }))!.available }))
    .filter((s) => s.quantity.gt(s.available))
    .map((s) => ({ variantId: s.variantId, requested: plainQuantity(s.quantity), available: plainQuantity(s.available) }));
  await recordEvent(tx, 'logistics', {
    aggregateType: 'reservation',
    aggregateId: order.orderId,
    event: 'held',
    tenantId,
    storeId: order.storeId,
    data: {
      orderId: order.orderId,
      storeId: order.storeId,
      locationId: location.id,
      lines: order.lines.map((l) => ({ lineId: l.lineId, variantId: l.variantId, locationId: location.id, quantity: plainQuantity(l.quantity) })),
      shortages,
    },
  });
}

async function lockedOrder(tx: EntityManager, orderId: string): Promise<OrderRefRow | null> {
  if (!UUID.test(orderId)) return null;
  return tx.findOne(OrderRef, { orderId: orderId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/** Keeps the order's status as orders last reported it (a cancelled order is not shipped). */
export async function noteOrderStatus(tx: EntityManager, orderId: string, status: string): Promise<OrderRefRow | null> {
  const order = await lockedOrder(tx, orderId);
  if (!order) return null;
  order.status = status;
  order.updatedAt = new Date();
  await tx.flush();
  return order;
}

async function reservationsOf(tx: EntityManager, order: OrderRefRow, state: StockReservationRow['state']): Promise<StockReservationRow[]> {
  return tx.find(StockReservation, { orderId: order.orderId, state }, { orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true });
}

function reservationLines(reservations: readonly StockReservationRow[]) {
  return reservations.map((r) => ({ lineId: r.lineId, variantId: r.variantId, locationId: r.locationId, quantity: plainQuantity(r.quantity) }));
}

/** The goods left with the customer: held stock becomes SALE entries in the ledger. */
export async function consumeForOrder(tx: EntityManager, orderId: string, soldAt: Date): Promise<void> {
  const order = await lockedOrder(tx, orderId);
  if (!order) return;
  const held = await reservationsOf(tx, order, 'HELD');
  if (!held.length) return;
  await lockStock(tx, held);
  await book(tx, order, held, 'SALE');
  for (const r of held) {
    r.state = 'CONSUMED';
    r.updatedAt = new Date();
  }
  order.soldAt = soldAt;
  order.updatedAt = new Date();
  await tx.flush();
  await recordEvent(tx, 'logistics', {
    aggregateType: 'reservation',
    aggregateId: order.orderId,
    event: 'consumed',
    tenantId: order.tenantId,
    storeId: order.storeId,
    data: { orderId: order.orderId, storeId: order.storeId, lines: reservationLines(held) },
  });
}

/**
 * A cancelled order gives back what it held; goods it had already sold (a POS sale voided after
 * the hand-over) come back as RETURN entries, since the cancellation refunds the customer.
 */
export async function releaseForOrder(tx: EntityManager, orderId: string): Promise<void> {
  const order = await noteOrderStatus(tx, orderId, 'CANCELLED');
  if (!order) return;
  const held = await reservationsOf(tx, order, 'HELD');
  const sold = await reservationsOf(tx, order, 'CONSUMED');
  await lockStock(tx, [...held, ...sold]);
  if (sold.length) await book(tx, order, sold, 'RETURN');
  for (const r of held) {
    r.state = 'RELEASED';
    r.updatedAt = new Date();
  }
  await tx.flush();
  if (!held.length && !sold.length) return;
  await recordEvent(tx, 'logistics', {
    aggregateType: 'reservation',
    aggregateId: order.orderId,
    event: 'released',
    tenantId: order.tenantId,
    storeId: order.storeId,
    data: { orderId: order.orderId, storeId: order.storeId, lines: reservationLines(held), returned: reservationLines(sold) },
  });
}

/** SALE takes the reserved goods out of the ledger; RETURN puts sold goods back. The caller holds the locks. */
async function book(tx: EntityManager, order: OrderRefRow, reservations: readonly StockReservationRow[], kind: 'SALE' | 'RETURN'): Promise<void> {
  const before = await stockFiguresOf(tx, reservations);
  const locations = await tx.find(StockLocation, { id: { $in: [...new Set(reservations.map((r) => r.locationId))] } });
  await appendEntries(tx, {
    tenantId: order.tenantId,
    actor: SYSTEM_ACTOR,
    movementId: uuidv7(),
    entries: reservations.map((r) => ({
      kind,
      locationId: r.locationId,
      variantId: r.variantId,
      quantity: kind === 'SALE' ? new Decimal(r.quantity).negated() : new Decimal(r.quantity),
      reason: null,
      reference: order.orderId,
      note: null,
      idempotencyKey: `${kind.toLowerCase()}:${order.orderId}:${r.lineId}`,
      requestFingerprint: null,
    })),
    locations: new Map(locations.map((l) => [l.id, l])),
    before,
  });
}

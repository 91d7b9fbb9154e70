/**
 * Notes on an order after it was placed ("customer will pick up at 5", "refund agreed by
 * phone"): appended, never edited, each with its author, and an order.note_added event. A note
 * takes a client key, so a retried request adds it once.
 */
import { DomainError, type EntityManager, userError } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { UUID } from '../domain/place-order.ts';
import { OrderNote, type OrderNoteRow, type OrderRow, SalesOrder } from '../entities.ts';
import { publishOrderNote } from '../events.ts';

export const MAX_NOTE_TEXT = 1000;
const MAX_KEY = 200;

export interface AddOrderNoteInput {
  orderId: string;
  text: string;
  idempotencyKey: string;
}

export interface NoteAuthor {
  tenantId: string;
  userId: string;
  /** the stores the caller may use; null: all */
  storeIds: readonly string[] | null;
}

export type AddedNote = { order: OrderRow; note: OrderNoteRow; replayed: boolean };

export async function addOrderNote(em: EntityManager, author: NoteAuthor, input: AddOrderNoteInput): Promise<AddedNote> {
  const text = input.text.trim();
  const key = input.idempotencyKey.trim();
  const errors = [];
  if (!text) errors.push(userError('NOTE_REQUIRED', 'a note needs some text', ['input', 'text']));
  if (text.length > MAX_NOTE_TEXT) errors.push(userError('NOTE_TOO_LONG', `a note has at most ${MAX_NOTE_TEXT} characters`, ['input', 'text']));
  if (!key || key.length > MAX_KEY)
    errors.push(userError('INVALID_IDEMPOTENCY_KEY', `the idempotency key is 1 to ${MAX_KEY} characters`, ['input', 'idempotencyKey']));
  if (errors.length) throw DomainError.many(errors);

  // the order's row lock keeps its events in sequence with its transitions
  const order = UUID.test(input.orderId)
    ? await em.findOne(SalesOrder, { id: input.orderId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!order || (author.storeIds && !author.storeIds.includes(order.storeId))) {
    throw new DomainError('ORDER_NOT_FOUND', `no order ${input.orderId}`, ['input', 'orderId']);
  }
  const earlier = await em.findOne(OrderNote, { orderId: order.id, idempotencyKey: key });
  if (earlier?.text === text) return { order, note: earlier, replayed: true };
  if (earlier)
    throw new DomainError('IDEMPOTENCY_CONFLICT', 'this idempotency key was already used for a different note', ['input', 'idempotencyKey']);
  const note = em.create(OrderNote, {
    id: uuidv7(),
    tenantId: order.tenantId,
    orderId: order.id,
    text,
    author: author.userId,
    idempotencyKey: key,
    createdAt: new Date(),
  });
  await em.flush();
  await publishOrderNote(em, order, note);
  return { order, note, replayed: false };
}

export async function notesByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<OrderNoteRow[]> {
  return em.find(OrderNote, { orderId: { $in: [...orderIds] } }, { orderBy: { orderId: 'asc', createdAt: 'asc', id: 'asc' } });
}

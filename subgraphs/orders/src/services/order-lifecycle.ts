import { DomainError, type EntityManager } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { decideTransition, type OrderStatus } from '../domain/lifecycle.ts';
import { UUID } from '../domain/place-order.ts';
import { OrderEvent, type OrderRow, SalesOrder } from '../entities.ts';
import { publishOrderTransition } from '../events.ts';
import { releaseUses } from './promotions.ts';

export interface TransitionRequest {
  orderId: string;
  to: OrderStatus;
  reason?: string | null;
  /** who asked: a user id, or a system name such as `payments` for automatic transitions */
  actor: string;
  /** the stores the caller may touch; null or absent: every store (system callers) */
  storeIds?: readonly string[] | null;
}

export interface TransitionResult {
  order: OrderRow;
  /** false when the order already had the target status: nothing was written */
  changed: boolean;
}

const MAX_REASON = 500;

/**
 * Moves an order along its lifecycle inside the caller's transaction: the row lock makes
 * concurrent transitions of one order wait for each other, so each sees the status the
 * previous one left and none is lost. Also the entry point for automatic transitions
 * (event handlers pass their own transaction's EntityManager).
 */
export async function transitionOrder(em: EntityManager, request: TransitionRequest): Promise<TransitionResult> {
  if (!em.isInTransaction()) throw new Error('transitionOrder needs a transaction: the row lock lives as long as it');
  const reason = request.reason?.trim() || null;
  if (reason && reason.length > MAX_REASON)
    throw new DomainError('REASON_TOO_LONG', `a reason has at most ${MAX_REASON} characters`, ['input', 'reason']);
  const order = UUID.test(request.orderId)
    ? await em.findOne(SalesOrder, { id: request.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!order || (request.storeIds && !request.storeIds.includes(order.storeId))) {
    throw new DomainError('ORDER_NOT_FOUND', `no order ${request.orderId}`, ['input', 'orderId']);
  }
  const from = order.status;
  const decision = decideTransition(from, request.to);
  if (decision === 'noop') return { order, changed: false };
  // a cancellation is explained: the Z report, the customer and the next shift need to know why
  if (decision === 'apply' && request.to === 'CANCELLED' && !reason) {
    throw new DomainError('REASON_REQUIRED', 'a cancellation needs a reason', ['input', 'reason']);
  }
  if (decision === 'invalid') {
    throw new DomainError('INVALID_TRANSITION', `order ${order.number} cannot go from ${from} to ${request.to}`, ['input', 'to']);
  }
  const at = new Date();
  order.status = request.to;
  order.updatedAt = at;
  em.create(OrderEvent, {
    id: uuidv7(),
    tenantId: order.tenantId,
    orderId: order.id,
    type: request.to.toLowerCase(),
    fromStatus: from,
    toStatus: request.to,
    actor: request.actor,
    reason,
    data: null,
    at,
  });
  await em.flush();
  // a cancelled order's promotion uses go back to their promotions (services/promotions.ts)
  if (request.to === 'CANCELLED') await releaseUses(em, order.id);
  await publishOrderTransition(em, order, { from, to: request.to, reason, actor: request.actor });
  return { order, changed: true };
}

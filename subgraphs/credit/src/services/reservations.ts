import { Decimal, DomainError, type EntityManager, type UserError, userError } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { availableCredit, canMove, decideReservation, type ReservationState } from '../domain/reservation.ts';
import { CreditProfile, CreditReservation, type CreditReservationRow } from '../entities.ts';
import { publishReservation } from '../events.ts';
import { tenantOf, UUID } from './common.ts';
import { holdCustomer } from './customer-changes.ts';
import { heldByCustomer } from './reads.ts';

export interface ReserveCreditInput {
  orderId: string;
  customerId: string;
  storeId: string;
  amount: string;
  currency: string;
}

const AMOUNT = /^\d{1,14}(\.\d{1,2})?$/;

/** Callers are event reactions: a malformed request is a bug upstream and is refused whole. */
function validateReserveCredit(input: ReserveCreditInput): ReserveCreditInput {
  const errors: UserError[] = [];
  const ids = { orderId: 'INVALID_ORDER_ID', customerId: 'INVALID_CUSTOMER_ID', storeId: 'INVALID_STORE_ID' } as const;
  for (const [field, code] of Object.entries(ids) as [keyof typeof ids, string][]) {
    if (!UUID.test(input[field])) errors.push(userError(code, `${field} is not a UUID`, [field]));
  }
  if (!AMOUNT.test(input.amount) || new Decimal(input.amount).lte(0)) {
    errors.push(userError('INVALID_AMOUNT', 'the amount is a positive decimal with at most 2 decimals', ['amount']));
  }
  if (!/^[A-Z]{3}$/.test(input.currency)) errors.push(userError('INVALID_CURRENCY', 'the currency is three capital letters', ['currency']));
  if (errors.length) throw DomainError.many(errors);
  return {
    ...input,
    orderId: input.orderId.toLowerCase(),
    customerId: input.customerId.toLowerCase(),
    storeId: input.storeId.toLowerCase(),
  };
}

/**
 * Holds credit for an order, or records why not: over the limit, a BLOCKED or missing profile,
 * another currency give a REJECTED reservation with the reason (not an exception), so the order
 * can be rejected with it. Idempotent per order: a second call returns the first reservation.
 * The profile's row lock makes concurrent holds of one customer take turns, so their sum never
 * passes the limit. An order of a customer merged into another holds the survivor's credit
 * (and is recorded under the survivor).
 */
export async function reserveCredit(em: EntityManager, input: ReserveCreditInput): Promise<CreditReservationRow> {
  const valid = validateReserveCredit(input);
  return em.transactional(async (tx) => {
    const tenantId = tenantOf(tx);
    const request = { ...valid, customerId: await holdCustomer(tx, valid.customerId) };
    const profile = await tx.findOne(CreditProfile, { customerId: request.customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const earlier = await tx.findOne(CreditReservation, { orderId: request.orderId }, { refresh: true });
    if (earlier) return earlier;

    const reserved = (await heldByCustomer(tx, [request.customerId])).get(request.customerId) ?? new Decimal(0);
    const decision = decideReservation(profile, reserved, request.amount, request.currency);
    const now = new Date();
    // without a profile there is no lock: a concurrent twin may win the insert, and this one reads its row
    const inserted = await tx.execute<{ id: string }[]>(
      `insert into credit_reservation (id, tenant_id, order_id, customer_id, store_id, amount, currency, state, reason, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (tenant_id, order_id) do nothing returning id`,
      [
        uuidv7(),
        tenantId,
        request.orderId,
        request.customerId,
        request.storeId,
        request.amount,
        request.currency,
        decision.state,
        decision.reason,
        now,
        now,
      ],
    );
    const reservation = await tx.findOneOrFail(CreditReservation, { orderId: request.orderId }, { refresh: true });
    if (inserted.length) {
      const held = decision.state === 'HELD' ? reserved.plus(request.amount) : reserved;
      await publishReservation(tx, reservation, profile ? availableCredit(profile.limit, held) : null);
    }
    return reservation;
  });
}

/** HELD -> `to`; anything else (unknown order, already moved, rejected) returns the row as it is. */
async function moveReservation(em: EntityManager, orderId: string, to: ReservationState): Promise<CreditReservationRow | null> {
  if (!UUID.test(orderId)) return null;
  return em.transactional(async (tx) => {
    const reservation = await tx.findOne(
      CreditReservation,
      { orderId: orderId.toLowerCase() },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!reservation || !canMove(reservation.state, to)) return reservation;
    reservation.state = to;
    reservation.updatedAt = new Date();
    await tx.flush();
    const profile = await tx.findOne(CreditProfile, { customerId: reservation.customerId }, { refresh: true });
    const held = (await heldByCustomer(tx, [reservation.customerId])).get(reservation.customerId) ?? new Decimal(0);
    await publishReservation(tx, reservation, profile ? availableCredit(profile.limit, held) : null);
    return reservation;
  });
}

/** Payment in full or cancellation: the amount, held or invoiced, is available again. */
export function releaseCredit(em: EntityManager, orderId: string): Promise<CreditReservationRow | null> {
  return moveReservation(em, orderId, 'RELEASED');
}

/** Invoicing: the hold becomes an unpaid receivable; it still counts against the limit until paid. */
export function consumeCredit(em: EntityManager, orderId: string): Promise<CreditReservationRow | null> {
  return moveReservation(em, orderId, 'CONSUMED');
}

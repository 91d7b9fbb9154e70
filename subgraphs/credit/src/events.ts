/**
 * What credit publishes (outbox, in the transaction of the change; amounts are strings with 2 decimals):
 *   reservation.held | reservation.rejected | reservation.released | reservation.consumed
 *                         aggregate reservation (subject: the reservation id; data.orderId for routing)
 *   profile.recalculated  aggregate profile (subject: the customer id)
 * What it consumes is in reactions.ts.
 */
import { type Decimal, type EntityManager, formatMoney, recordEvent } from '@comanda/kit';
import type { CreditProfileRow, CreditReservationRow } from './entities.ts';

export const SUBGRAPH = 'credit';

/** `available` is what the customer has left afterwards (null without a profile). */
export async function publishReservation(tx: EntityManager, reservation: CreditReservationRow, available: Decimal | null): Promise<void> {
  await recordEvent(tx, SUBGRAPH, {
    aggregateType: 'reservation',
    aggregateId: reservation.id,
    event: reservation.state.toLowerCase(),
    tenantId: reservation.tenantId,
    storeId: reservation.storeId,
    data: {
      reservationId: reservation.id,
      orderId: reservation.orderId,
      customerId: reservation.customerId,
      storeId: reservation.storeId,
      state: reservation.state,
      amount: formatMoney(reservation.amount),
      currency: reservation.currency,
      reason: reservation.reason,
      available: available === null ? null : formatMoney(available),
    },
  });
}

export async function publishProfileRecalculated(tx: EntityManager, profile: CreditProfileRow, previousLimit: string | null): Promise<void> {
  await recordEvent(tx, SUBGRAPH, {
    aggregateType: 'profile',
    aggregateId: profile.customerId,
    event: 'recalculated',
    tenantId: profile.tenantId,
    data: {
      customerId: profile.customerId,
      score: profile.score,
      riskTier: profile.tier,
      limit: formatMoney(profile.limit),
      previousLimit: previousLimit === null ? null : formatMoney(previousLimit),
      currency: profile.currency,
      factors: {
        registry: profile.registryPoints,
        financials: profile.financialsPoints,
        behaviour: profile.behaviourPoints,
        insolvency: profile.insolvencyPoints,
        litigation: profile.litigationPoints,
      },
      annualRevenue: formatMoney(profile.annualRevenue),
      updatedBy: profile.updatedBy,
    },
  });
}

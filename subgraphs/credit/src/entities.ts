import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { RejectionReason, ReservationState } from './domain/reservation.ts';
import type { RiskTier } from './domain/scoring.ts';

/**
 * One per company customer, keyed per tenant (credit never reads the customers schema; the id is
 * a federation reference). score, tier and limit are derived from the parts when they change and
 * stored, so reads and reservations do not recompute them.
 */
export const CreditProfile = defineEntity({
  name: 'CreditProfile',
  tableName: 'credit_profile',
  properties: {
    tenantId: p.string().primary(),
    customerId: p.uuid().primary(),
    currency: p.string(),
    registryPoints: p.integer(),
    registryNote: p.string().nullable(),
    financialsPoints: p.integer(),
    financialsNote: p.string().nullable(),
    behaviourPoints: p.integer(),
    behaviourNote: p.string().nullable(),
    insolvencyPoints: p.integer(),
    insolvencyNote: p.string().nullable(),
    litigationPoints: p.integer(),
    litigationNote: p.string().nullable(),
    annualRevenue: p.decimal('string'),
    score: p.integer(),
    tier: p.string().$type<RiskTier>(),
    limit: p.decimal('string').fieldName('credit_limit'),
    updatedBy: p.string(),
    updatedAt: p.datetime(),
  },
});

export const CreditReservation = defineEntity({
  name: 'CreditReservation',
  tableName: 'credit_reservation',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    customerId: p.uuid(),
    storeId: p.uuid(),
    amount: p.decimal('string'),
    currency: p.string(),
    state: p.string().$type<ReservationState>(),
    reason: p.string().$type<RejectionReason>().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export type CreditProfileRow = InferEntity<typeof CreditProfile>;
export type CreditReservationRow = InferEntity<typeof CreditReservation>;
export const entities = [CreditProfile, CreditReservation];

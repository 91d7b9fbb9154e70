import { canUseStore, hasRole, money, type Resolvers, requireRole, requireStore, runMutation, STAFF, type SubgraphContext } from '@comanda/kit';
import { availableCredit } from './domain/reservation.ts';
import { explainFactors } from './domain/scoring.ts';
import type { CreditProfileRow, CreditReservationRow } from './entities.ts';
import { loadExposure, loadHeld, loadProfile, loadReservation, loadReservationOfOrder } from './loaders.ts';
import { UUID } from './services/common.ts';
import { resolveCustomer } from './services/customer-changes.ts';
import { type RecalculateCreditProfileInput, recalculateCreditProfile } from './services/profiles.ts';

interface StoreMetricsRef {
  storeId: string;
  /** from orders, because creditExposure @requires it */
  currencyCode?: string;
}

/** Who may set a customer's credit: cashiers read profiles but do not grant credit. */
const REVIEWERS = ['owner' as const, 'manager' as const, 'accountant' as const];

/**
 * Credit is staff business: devices and partners asking for it are FORBIDDEN. A store-bound
 * token sees the reservations of its stores only (an order of another store resolves to null).
 */
function readableReservation(ctx: SubgraphContext, reservation: CreditReservationRow | null): CreditReservationRow | null {
  return reservation && hasRole(ctx.identity, ...STAFF) && canUseStore(ctx.identity, reservation.storeId) ? reservation : null;
}

export const resolvers: Resolvers = {
  Query: {
    creditProfile: async (_: unknown, args: { customerId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      // a merged customer's id gives the survivor's profile, as customers resolves the id to the survivor
      return UUID.test(args.customerId) ? loadProfile(ctx, await resolveCustomer(ctx.em, args.customerId.toLowerCase())) : null;
    },
  },
  Mutation: {
    recalculateCreditProfile: (_: unknown, args: { input: RecalculateCreditProfileInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...REVIEWERS);
      return runMutation(ctx.em, { creditProfile: null }, async (tx) => ({
        creditProfile: await recalculateCreditProfile(tx, ctx.identity.userId, args.input),
      }));
    },
  },
  Customer: {
    creditProfile: (customer: { id: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return loadProfile(ctx, customer.id);
    },
  },
  CreditProfile: {
    customer: (p: CreditProfileRow) => ({ id: p.customerId }),
    riskTier: (p: CreditProfileRow) => p.tier,
    limit: (p: CreditProfileRow) => money(p.limit, p.currency),
    reserved: async (p: CreditProfileRow, _: unknown, ctx: SubgraphContext) => money(await loadHeld(ctx, p.customerId), p.currency),
    available: async (p: CreditProfileRow, _: unknown, ctx: SubgraphContext) =>
      money(availableCredit(p.limit, await loadHeld(ctx, p.customerId)), p.currency),
    factors: (p: CreditProfileRow) =>
      explainFactors(
        {
          registry: p.registryPoints,
          financials: p.financialsPoints,
          behaviour: p.behaviourPoints,
          insolvency: p.insolvencyPoints,
          litigation: p.litigationPoints,
        },
        {
          registry: p.registryNote,
          financials: p.financialsNote,
          behaviour: p.behaviourNote,
          insolvency: p.insolvencyNote,
          litigation: p.litigationNote,
        },
        p.annualRevenue,
        p.currency,
      ),
  },
  CreditReservation: {
    __resolveReference: async (ref: { id: string }, ctx: SubgraphContext) => readableReservation(ctx, await loadReservation(ctx, ref.id)),
    order: (r: CreditReservationRow) => ({ id: r.orderId }),
    amount: (r: CreditReservationRow) => money(r.amount, r.currency),
  },
  Order: {
    creditReservation: async (order: { id: string }, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return readableReservation(ctx, await loadReservationOfOrder(ctx, order.id));
    },
  },
  StoreMetrics: {
    creditExposure: async (metrics: StoreMetricsRef, _: unknown, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      requireStore(ctx.identity, metrics.storeId);
      if (!metrics.currencyCode) throw new Error('StoreMetrics.currencyCode was not provided: creditExposure must @requires it');
      return money(await loadExposure(ctx, metrics.storeId, metrics.currencyCode), metrics.currencyCode);
    },
  },
};

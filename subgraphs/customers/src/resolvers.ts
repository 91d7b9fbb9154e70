import { calendarDay, DomainError, hasRole, type Resolvers, type Role, requireRole, requireStore, STAFF, type SubgraphContext } from '@comanda/kit';
import { type Activity, spentList } from './domain/activity.ts';
import type { AddressRow, ConsentChangeRow, CustomerRow } from './entities.ts';
import type { Actor } from './events.ts';
import { loadActivity, loadAddresses, loadConsentHistory, loadCustomer, loadStoreDayCounts } from './loaders.ts';
import { companyRegistryFromEnv } from './registry/index.ts';
import { type CreateCustomerInput, createCustomer } from './services/create.ts';
import { findDuplicates } from './services/duplicates.ts';
import { type EraseCustomerInput, eraseCustomer } from './services/erase.ts';
import { exportCustomerData } from './services/export.ts';
import { type ImportCustomersInput, type ImportReport, importCustomers } from './services/import.ts';
import { lookupCompany } from './services/lookup.ts';
import { type MergeCustomersInput, mergeCustomers } from './services/merge.ts';
import { type CustomerFilter, findCustomers } from './services/reads.ts';
import { type UpdateCustomerInput, updateCustomer } from './services/update.ts';

/**
 * Customers are staff business: every staff role reads them; the roles at the counter
 * (owner, manager, cashier) create and edit them; the owner and managers import, merge,
 * export and erase. Devices and partners see nothing (references resolve to null for them).
 */
const EDITORS: Role[] = ['owner', 'manager', 'cashier'];
const ADMINS: Role[] = ['owner', 'manager'];

const registry = companyRegistryFromEnv();
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const actor = (ctx: SubgraphContext): Actor => ({
  tenantId: ctx.identity.tenantId,
  userId: ctx.identity.userId,
  traceparent: ctx.traceparent && TRACEPARENT.test(ctx.traceparent) ? ctx.traceparent : null,
});

interface StoreMetricsRef {
  storeId: string;
  /** from orders, because the counts @requires it */
  timezone?: string;
}

/** Today's customer counts of a store: staff of that store, "today" in the store's timezone. */
async function storeDayCounts(ctx: SubgraphContext, metrics: StoreMetricsRef) {
  requireRole(ctx.identity, ...STAFF);
  requireStore(ctx.identity, metrics.storeId);
  if (!metrics.timezone) throw new Error('StoreMetrics.timezone was not provided: the customer counts must @requires it');
  const { from, to } = calendarDay(new Date(), metrics.timezone);
  return loadStoreDayCounts(ctx, metrics.storeId, from, to);
}

async function defaultOf(ctx: SubgraphContext, c: CustomerRow, flag: 'defaultBilling' | 'defaultShipping'): Promise<AddressRow | null> {
  return (await loadAddresses(ctx, c.id)).find((a) => a[flag]) ?? null;
}

export const resolvers: Resolvers = {
  Query: {
    customer: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return loadCustomer(ctx, args.id);
    },
    customers: (_: unknown, args: { first?: number; after?: string; filter?: CustomerFilter }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      return findCustomers(ctx.em, args.filter ?? {}, args.first, args.after);
    },
    customerDuplicates: async (_: unknown, args: { customerId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      const subject = await loadCustomer(ctx, args.customerId);
      return subject ? findDuplicates(ctx.em, subject) : [];
    },
    exportCustomerData: async (_: unknown, args: { customerId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...ADMINS);
      const customer = await loadCustomer(ctx, args.customerId);
      if (!customer) return null;
      ctx.log.info({ customerId: customer.id, userId: ctx.identity.userId }, 'customer data exported');
      return exportCustomerData(ctx.em, customer);
    },
    lookupCompany: async (_: unknown, args: { taxId: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...STAFF);
      try {
        return { company: await lookupCompany(registry, args.taxId, ctx.log, ['taxId']), userErrors: [] };
      } catch (error) {
        if (error instanceof DomainError) return { company: null, userErrors: error.errors };
        throw error;
      }
    },
  },
  Mutation: {
    createCustomer: (_: unknown, args: { input: CreateCustomerInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...EDITORS);
      return createCustomer(ctx.em, actor(ctx), args.input, { registry, log: ctx.log });
    },
    updateCustomer: async (_: unknown, args: { input: UpdateCustomerInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...EDITORS);
      return { ...(await updateCustomer(ctx.em, actor(ctx), args.input)), replayed: false };
    },
    importCustomers: (_: unknown, args: { input: ImportCustomersInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...ADMINS);
      return importCustomers(ctx.em, actor(ctx), args.input);
    },
    mergeCustomers: (_: unknown, args: { input: MergeCustomersInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...ADMINS);
      return mergeCustomers(ctx.em, actor(ctx), args.input);
    },
    eraseCustomer: (_: unknown, args: { input: EraseCustomerInput }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...ADMINS);
      return eraseCustomer(ctx.em, actor(ctx), args.input);
    },
  },
  Customer: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => (hasRole(ctx.identity, ...STAFF) ? loadCustomer(ctx, ref.id) : null),
    address: (c: CustomerRow, _: unknown, ctx: SubgraphContext) => defaultOf(ctx, c, 'defaultBilling'),
    addresses: (c: CustomerRow, _: unknown, ctx: SubgraphContext) => loadAddresses(ctx, c.id),
    defaultBillingAddress: (c: CustomerRow, _: unknown, ctx: SubgraphContext) => defaultOf(ctx, c, 'defaultBilling'),
    defaultShippingAddress: (c: CustomerRow, _: unknown, ctx: SubgraphContext) => defaultOf(ctx, c, 'defaultShipping'),
    marketingConsent: (c: CustomerRow) => ({ granted: c.marketingConsent, at: c.marketingConsentAt, source: c.marketingConsentSource }),
    marketingConsentHistory: (c: CustomerRow, _: unknown, ctx: SubgraphContext) => loadConsentHistory(ctx, c.id),
    registration: (c: CustomerRow) =>
      c.registryCheckedAt ? { vatRegistered: c.vatRegistered ?? false, active: c.registryActive ?? false, checkedAt: c.registryCheckedAt } : null,
    // an erased customer's purchases still count in the stores' figures, anonymously, but are nobody's profile any more
    stats: (c: CustomerRow, _: unknown, ctx: SubgraphContext) => (c.status === 'ERASED' ? null : loadActivity(ctx, c.id)),
  },
  CustomerStats: {
    totalSpent: (a: Activity) => spentList(a).map((s) => ({ amount: s.amount, currencyCode: s.currency })),
    firstPurchaseAt: (a: Activity) => a.first?.at ?? null,
    firstPurchaseStore: (a: Activity) => (a.first ? { id: a.first.storeId } : null),
    lastPurchaseAt: (a: Activity) => a.last?.at ?? null,
    lastPurchaseStore: (a: Activity) => (a.last ? { id: a.last.storeId } : null),
  },
  StoreMetrics: {
    customersToday: async (metrics: StoreMetricsRef, _: unknown, ctx: SubgraphContext) => (await storeDayCounts(ctx, metrics)).customers,
    newCustomersToday: async (metrics: StoreMetricsRef, _: unknown, ctx: SubgraphContext) => (await storeDayCounts(ctx, metrics)).newCustomers,
  },
  MarketingConsentChange: {
    at: (h: ConsentChangeRow) => h.givenAt,
  },
  CustomerImportReport: {
    accepted: (r: ImportReport, _: unknown, ctx: SubgraphContext) =>
      r.accepted.map((a) => ({ row: a.row, action: a.action, customer: a.customerId ? loadCustomer(ctx, a.customerId) : null })),
    problems: (r: ImportReport) => r.problems.map((p) => ({ row: p.line, code: p.code, message: p.message, column: p.column })),
  },
};

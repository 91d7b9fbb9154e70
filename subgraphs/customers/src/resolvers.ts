import { DomainError, hasRole, type Resolvers, type Role, requireRole, STAFF, type SubgraphContext } from '@comanda/kit';
import type { AddressRow, ConsentChangeRow, CustomerRow } from './entities.ts';
import type { Actor } from './events.ts';
import { loadAddresses, loadConsentHistory, loadCustomer } from './loaders.ts';
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

import { byKey, type Resolvers, requireRole, runMutation, STAFF, type SubgraphContext } from '@comanda/kit';
import type { NewCustomer } from './domain/customer.ts';
import type { CustomerRow } from './entities.ts';
import { type CustomerFilter, createCustomer, customersByIds, findCustomers } from './service.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Unknown or malformed ids resolve to null, batched per request. */
function loadCustomer(ctx: SubgraphContext, id: string): Promise<CustomerRow | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return ctx.loaders.get<string, CustomerRow | null>('customer', async (ids) => byKey(ids, await customersByIds(ctx.em, ids), (c) => c.id)).load(id);
}

const READERS = [...STAFF, 'partner' as const];

export const resolvers: Resolvers = {
  Query: {
    customer: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return loadCustomer(ctx, args.id);
    },
    customers: (_: unknown, args: { first?: number; after?: string; filter?: CustomerFilter }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, ...READERS);
      return findCustomers(ctx.em, args.filter ?? {}, args.first, args.after);
    },
  },
  Mutation: {
    createCustomer: (_: unknown, args: { input: NewCustomer }, ctx: SubgraphContext) => {
      requireRole(ctx.identity, 'owner', 'manager', 'cashier');
      return runMutation(ctx.em, { customer: null }, async (tx) => ({
        customer: await createCustomer(tx, ctx.identity.tenantId, args.input),
      }));
    },
  },
  Customer: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => loadCustomer(ctx, ref.id),
  },
};

import { readFileSync } from 'node:fs';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '@comanda/kit';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.ts';
import { SUPERGRAPH_PATH } from '../src/gateway.ts';
import { tokenOf } from '../src/live.ts';
import { LiveSchema } from '../src/live-schema.ts';
import { scopeOf } from '../src/live-upstream.ts';

const ORDER_BOARD = `subscription OrderBoard($storeId: ID!) {
  orderChanged(storeId: $storeId) {
    type at
    order { id number status customer { name } paymentStatus receipt { number } }
  }
}`;

const silent = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const context: GatewayContext = {
  identity: { tenantId: 'demo', userId: 'u', roles: ['manager'], storeIds: null, printerId: null },
  requestId: 'r',
  traceparent: '00-00000000000000000000000000000001-0000000000000001-01',
};

/** A subgraph that answers `_entities` fetches with `fields(representation)`. */
function entities(fields: (representation: Record<string, unknown>) => Record<string, unknown>): GraphQLDataSource {
  return {
    process: async ({ request }) => {
      const representations = (request.variables?.representations ?? []) as Record<string, unknown>[];
      return { data: { _entities: representations.map((r) => ({ __typename: r.__typename, ...fields(r) })) } };
    },
  };
}

const failing: GraphQLDataSource = { process: async () => ({ errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }) };

describe('connection tokens', () => {
  it('reads the token as HTTP sends it, or as a bare `token`', () => {
    expect(tokenOf({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenOf({ Authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenOf({ token: 'abc' })).toBe('abc');
    expect(tokenOf({ authorization: 'Basic abc' })).toBeNull();
    expect(tokenOf(undefined)).toBeNull();
  });
});

describe('upstream scope', () => {
  it('is what authorization depends on, in one spelling: two users of one scope share streams', () => {
    const a = scopeOf({ tenantId: 't', userId: 'ana', roles: ['manager', 'cashier'], storeIds: ['B', 'a'], printerId: null });
    const b = scopeOf({ tenantId: 't', userId: 'bob', roles: ['cashier', 'manager'], storeIds: ['a', 'b'], printerId: null });
    expect(a).toEqual(b);
    expect(a).toEqual({ tenantId: 't', userId: 'live:t', roles: ['cashier', 'manager'], storeIds: ['a', 'b'], printerId: null });
  });
});

describe('planning and executing a subscription over the supergraph', () => {
  const schema = new LiveSchema(readFileSync(SUPERGRAPH_PATH, 'utf8'));
  const plan = schema.plan(ORDER_BOARD, parse(ORDER_BOARD), 'OrderBoard');
  const primaryData = {
    orderChanged: {
      type: 'PLACED',
      at: '2026-01-02T03:04:05.000Z',
      order: {
        __typename: 'Order',
        id: 'o1',
        number: 'B-000001',
        status: 'PENDING',
        customer: { __typename: 'Customer', id: 'c1' },
        // payments' paymentStatus @requires it
        total: { amount: '10.00', currencyCode: 'RON' },
      },
    },
  };
  const services = {
    customers: entities(() => ({ name: 'Ana' })),
    payments: entities(() => ({ paymentStatus: 'UNPAID' })),
    fiscal: entities(() => ({ receipt: null })),
  };
  const request = { query: ORDER_BOARD, operationName: 'OrderBoard', variables: { storeId: 's1' } };

  it('takes the primary from the owning subgraph, unnamed so that identical selections share a stream', () => {
    expect(plan.field).toBe('orderChanged');
    expect(plan.primary.serviceName).toBe('orders');
    expect(plan.upstreamOperation).toMatch(/^subscription\(\$storeId:ID!\)\{orderChanged/);
    expect(plan.rest).toBeDefined();
  });

  it("completes each event's primary data with the other subgraphs' fields, shaped as asked", async () => {
    const result = await schema.execute(plan, primaryData, request, context, services, silent);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      orderChanged: {
        type: 'PLACED',
        at: '2026-01-02T03:04:05.000Z',
        order: { id: 'o1', number: 'B-000001', status: 'PENDING', customer: { name: 'Ana' }, paymentStatus: 'UNPAID', receipt: null },
      },
    });
    // the executor merged into its own copy
    expect(primaryData.orderChanged.order.customer).toEqual({ __typename: 'Customer', id: 'c1' });
  });

  it('reports a null in a non-null field as an error', async () => {
    const result = await schema.execute(
      plan,
      primaryData,
      request,
      context,
      { ...services, payments: entities(() => ({ paymentStatus: null })) },
      silent,
    );
    expect(result.data).toBeNull();
    expect(result.extensions?.valueCompletion).toEqual([expect.objectContaining({ path: ['orderChanged', 'order', 'paymentStatus'] })]);
  });

  it('gives partial data with an error when an entity fetch fails', async () => {
    const result = await schema.execute(plan, primaryData, request, context, { ...services, customers: failing }, silent);
    expect(result.errors?.[0]?.message).toBe('boom');
    expect(result.data?.orderChanged).toMatchObject({ type: 'PLACED', order: { id: 'o1', paymentStatus: 'UNPAID', customer: null } });
  });
});

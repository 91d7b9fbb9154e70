import { beforeAll, describe, expect, it } from 'vitest';
import { demo, gqlCountingSql } from './support/client.ts';
import { placePosOrder } from './support/flows.ts';

const STORE_ORDERS = `query StoreOrders($storeId: ID!, $first: Int) {
  orders(storeId: $storeId, first: $first) {
    nodes { id number status total { amount currencyCode } createdAt customer { id name } paymentStatus fulfillmentStatus
            lines { quantity variant { sku stockOnHand } } invoice { number } receipt { number } creditReservation { state } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('N+1: the statements per subgraph do not grow with the page size', () => {
  const store = demo.stores[0]!;
  beforeAll(async () => {
    const customers = demo.customers.map((c) => c.id);
    for (let i = 0; i < 110; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => placePosOrder({ customerId: customers[(i + k) % customers.length] })));
    }
  });

  it('StoreOrders with first: 100 runs as many SQL statements per subgraph as with first: 10', async () => {
    const ten = await gqlCountingSql(STORE_ORDERS, { storeId: store.id, first: 10 });
    const hundred = await gqlCountingSql(STORE_ORDERS, { storeId: store.id, first: 100 });
    expect(ten.result.errors).toBeUndefined();
    expect(hundred.result.errors).toBeUndefined();
    expect(hundred.result.data.orders.nodes).toHaveLength(100);
    expect(Object.keys(hundred.statements).sort()).toEqual(Object.keys(ten.statements).sort());
    expect(Object.keys(ten.statements).length).toBeGreaterThanOrEqual(3);
    expect(hundred.statements).toEqual(ten.statements);
  });
});

/**
 * The OrderDetail of the contract is one request answered by all six subgraphs, each from its
 * own rows: a B2B order on account that credit approved, logistics shipped, fiscal invoiced and
 * payments collected, for a customer of customers.
 */
import { readFileSync } from 'node:fs';
import { Kind, type OperationDefinitionNode, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { demo, eventually, gql, gqlCountingSql } from './support/client.ts';
import { pay, placeOnAccountOrder } from './support/flows.ts';

const ORDER_DETAIL = print(
  parse(readFileSync(new URL('../../shared/contract/operations.graphql', import.meta.url), 'utf8')).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === 'OrderDetail',
  )!,
);
const CREATE_SHIPMENT = `mutation($input: CreateShipmentInput!) { createShipment(input: $input) { shipment { id trackingNumber } userErrors { code message } } }`;

describe('OrderDetail across the six subgraphs', () => {
  it('answers from real rows of orders, customers, credit, payments, logistics and fiscal', async () => {
    const store = demo.stores[1]!;
    const company = demo.customers.find((c) => c.kind === 'COMPANY')!;
    const variant = demo.products[5]!.variants[0]!;
    const placed = await placeOnAccountOrder(company.id, variant.id, '4');
    const order = placed;
    // credit confirms it, fiscal invoices it; logistics learns it from order.placed
    await eventually(async () => (await gql('query($id: ID!) { order(id: $id) { invoice { id } } }', { id: order.id })).data?.order?.invoice);
    const shipment = await eventually(async () => {
      const res = await gql(CREATE_SHIPMENT, { input: { orderId: order.id, storeId: store.id, idempotencyKey: crypto.randomUUID() } });
      const payload = res.data?.createShipment;
      if (payload?.userErrors?.[0]?.code === 'ORDER_NOT_FOUND') return null;
      expect(payload?.userErrors).toEqual([]);
      return payload.shipment;
    });
    await pay(order.id, order.total.amount, 'BANK_TRANSFER');

    const { result, statements } = await gqlCountingSql(ORDER_DETAIL, { id: order.id });
    expect(result.errors).toBeUndefined();
    const detail = result.data.order;
    // orders
    expect(detail).toMatchObject({
      id: order.id,
      number: order.number,
      status: 'CONFIRMED',
      channel: 'B2B',
      store: { id: store.id, name: store.name },
    });
    expect(detail.lines).toEqual([expect.objectContaining({ quantity: '4', variant: expect.objectContaining({ sku: variant.sku }) })]);
    expect(detail.events.map((e: { toStatus: string | null }) => e.toStatus)).toContain('CONFIRMED');
    // customers and credit
    expect(detail.customer).toMatchObject({ id: company.id, name: company.name, taxId: company.taxId });
    expect(detail.customer.creditProfile.score).toBeGreaterThanOrEqual(85);
    expect(detail.customer.creditProfile.riskTier).toBe('PREMIUM');
    expect(detail.creditReservation).toMatchObject({ amount: { amount: order.total.amount } });
    // logistics: the variant's stock at the store's location, and the shipment
    expect(Number(detail.lines[0].variant.stockOnHand)).toBeGreaterThan(0);
    expect(detail.shipments).toEqual([expect.objectContaining({ id: shipment.id, trackingNumber: shipment.trackingNumber })]);
    expect(detail.fulfillmentStatus).not.toBe('UNFULFILLED');
    // payments and fiscal
    expect(detail.payments).toEqual([expect.objectContaining({ method: 'BANK_TRANSFER', amount: { amount: order.total.amount } })]);
    expect(detail.invoice.number).toMatch(/^CMD-\d{6}$/);
    expect(detail.receipt).toBeNull();
    // and every subgraph really ran SQL for this one request
    expect(Object.keys(statements).sort()).toEqual(['credit', 'customers', 'fiscal', 'logistics', 'orders', 'payments']);
    for (const [subgraph, count] of Object.entries(statements)) expect(count, subgraph).toBeGreaterThan(0);
  });
});

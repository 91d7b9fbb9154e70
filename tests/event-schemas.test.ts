import { toEnvelope } from '@comanda/kafka';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql } from './support/client.ts';
import { pay, placeOnAccountOrder, placePosOrder } from './support/flows.ts';

const catalog = loadEventCatalog();
const TRANSITION = 'mutation($input: TransitionOrderInput!) { transitionOrder(input: $input) { order { status } userErrors { code } } }';

/** Every outbox row of every subgraph, as the envelope it is published in. */
async function publishedEvents() {
  const sources = await adminQuery<{ schema: string }>(
    `select table_schema as schema from information_schema.tables where table_name = 'outbox' order by 1`,
  );
  const events = [];
  for (const { schema } of sources) {
    const rows = await adminQuery(
      `select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from "${schema}".outbox`,
    );
    events.push(...rows.map((row) => toEnvelope(schema, row)));
  }
  return events;
}

describe('the event catalog', () => {
  it('every event the flows publish validates against the JSON Schema of its type', async () => {
    // a POS sale paid in two parts (captured, confirmed, receipt, print job), a B2B sale on
    // account (credit held, invoice, credit consumed), a cancellation with a refund, a new customer
    const sale = await placePosOrder();
    await pay(sale.id, '10.00', 'CASH', '20.00');
    await pay(sale.id, (Number(sale.total.amount) - 10).toFixed(2), 'CARD');
    const company = demo.customers.find((c) => c.kind === 'COMPANY')!;
    const b2b = await placeOnAccountOrder(company.id, demo.products[3]!.variants[0]!.id, '2');
    expect(b2b.id).toBeTruthy();
    const cancelled = await placePosOrder();
    await pay(cancelled.id, '1.00', 'CASH');
    await gql(TRANSITION, { input: { orderId: cancelled.id, to: 'CANCELLED', reason: 'schema check' } });
    await gql(`mutation { createCustomer(input: { kind: PERSON, name: "Schema Check" }) { customer { id } } }`);

    const expected = [
      'comanda.orders.order.placed.v1',
      'comanda.orders.order.confirmed.v1',
      'comanda.orders.order.cancelled.v1',
      'comanda.payments.payment.captured.v1',
      'comanda.payments.payment.refunded.v1',
      'comanda.fiscal.receipt.issued.v1',
      'comanda.fiscal.invoice.issued.v1',
      'comanda.fiscal.print_job.queued.v1',
      'comanda.customers.customer.created.v1',
      'comanda.credit.reservation.held.v1',
      'comanda.credit.reservation.consumed.v1',
    ];
    const events = await eventually(async () => {
      const all = await publishedEvents();
      const types = new Set(all.map((e) => e.type));
      return expected.every((t) => types.has(t)) ? all : null;
    }, 20_000);

    const invalid = events.map((event) => ({ type: event.type, id: event.id, problems: catalog.validate(event) })).filter((r) => r.problems);
    expect(invalid).toEqual([]);
    expect(events.length).toBeGreaterThan(expected.length);
  });

  it('rejects an event that does not match its schema', () => {
    const valid = {
      specversion: '1.0',
      id: crypto.randomUUID(),
      source: 'customers',
      type: 'comanda.customers.customer.created.v1',
      subject: crypto.randomUUID(),
      time: new Date().toISOString(),
      tenantid: 'demo',
      storeid: null,
      sequence: 1,
      traceparent: null,
      datacontenttype: 'application/json',
      data: { customerId: crypto.randomUUID(), kind: 'PERSON', name: 'Ana', taxId: null },
    };
    expect(catalog.validate(valid)).toBeNull();
    expect(catalog.validate({ ...valid, data: { ...valid.data, kind: 'ROBOT' } })?.join()).toMatch(/\/data\/kind/);
    expect(catalog.validate({ ...valid, sequence: 0 })?.join()).toMatch(/\/sequence/);
    expect(catalog.validate({ ...valid, type: 'comanda.customers.customer.exploded.v1' })).toEqual([
      'no schema for event type comanda.customers.customer.exploded.v1',
    ]);
  });
});

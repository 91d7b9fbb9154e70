import type { EventEnvelope } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql, withSubgraphEm } from '../../../tests/support/client.ts';
import { placeOnAccountOrder, placePosOrder } from '../../../tests/support/flows.ts';
import { credit, creditOnCustomers, reserveCredit } from '../src/index.ts';

/**
 * Credit follows the customers subgraph's merges and erasures (docs/credit.md, Merged and erased
 * customers): through the whole event flow (customers' mutations through the gateway), and event
 * by event for what the flow cannot stage (events of two customers arriving out of order).
 */

const CLUJ = demo.stores[1]!;
const VARIANT = demo.products[2]!.variants[0]!.id;

const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code } } }`;
const MERGE = `mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { userErrors { code } } }`;
const ERASE = `mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) { userErrors { code } } }`;
const RECALCULATE = `mutation($input: RecalculateCreditProfileInput!) {
  recalculateCreditProfile(input: $input) { creditProfile { customer { id } riskTier limit { amount } } userErrors { field code } }
}`;
const PROFILE = `query($id: ID!) { creditProfile(customerId: $id) { customer { id } riskTier limit { amount } reserved { amount } } }`;
const CUSTOMER_PROFILE = `query($id: ID!) { customer(id: $id) { id creditProfile { riskTier limit { amount } } } }`;

/** A valid Romanian CUI no other test uses (the check digit as DOMAIN.md says). */
function freshCui(): string {
  const body = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * [7, 5, 3, 2, 1, 7, 5, 3, 2][i]!, 0);
  return body + String(((sum * 10) % 11) % 10);
}

async function company(name: string, taxId: string): Promise<string> {
  const res = await gql(CREATE, { input: { kind: 'COMPANY', name, taxId } });
  expect(res.data?.createCustomer?.userErrors).toEqual([]);
  return res.data.createCustomer.customer.id;
}

/** Points adding up to `score`, part by part up to each maximum. */
function factorsFor(score: number) {
  let left = score;
  const take = (max: number) => {
    const points = Math.min(max, left);
    left -= points;
    return points;
  };
  return { registry: take(15), financials: take(30), behaviour: take(25), insolvency: take(20), litigation: take(10) };
}

async function assess(customerId: string, score: number, annualRevenue: string) {
  const res = await gql(RECALCULATE, { input: { customerId, factors: factorsFor(score), annualRevenue } });
  return res.data.recalculateCreditProfile;
}

const reservation = (orderId: string) =>
  eventually(async () => {
    const [row] = await adminQuery(
      'select customer_id, state, amount::numeric(18,2)::text as amount, reason from credit.credit_reservation where order_id = $1',
      [orderId],
    );
    return row;
  }, 15_000);

const profileRow = async (customerId: string) =>
  (await adminQuery('select tier, credit_limit::numeric(18,2)::text as "limit" from credit.credit_profile where customer_id = $1', [customerId]))[0];

function event(type: string, customerId: string, data: Record<string, unknown>): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: 'customers',
    type,
    subject: customerId,
    time: new Date().toISOString(),
    tenantid: demo.tenantId,
    storeid: null,
    sequence: 1,
    traceparent: null,
    datacontenttype: 'application/json',
    data: { customerId, ...data },
  };
}
const merged = (mergedId: string, survivorId: string) =>
  event('comanda.customers.customer.merged.v1', mergedId, { survivorId, mergedAt: new Date().toISOString() });
const erased = (customerId: string) => event('comanda.customers.customer.erased.v1', customerId, { erasedAt: new Date().toISOString() });
const apply = (e: EventEnvelope) => withSubgraphEm(credit, demo.tenantId, (tx) => creditOnCustomers.handle(tx, e));

/** A hold made by hand (for a real order, so orders' reaction to it finds the order). */
async function hold(customerId: string, amount = '100.00') {
  const orderId = (await placePosOrder()).id;
  return withSubgraphEm(credit, demo.tenantId, (tx) => reserveCredit(tx, { orderId, customerId, storeId: CLUJ.id, amount, currency: 'RON' }));
}

describe('a merge of two customers', () => {
  it("moves the duplicate's holds to the survivor, which keeps the more cautious profile; the old id holds the survivor's credit", async () => {
    const cui = freshCui();
    const survivor = await company('Contopire Credit SRL', cui);
    const duplicate = await company('Contopire Credit S.R.L.', `RO${cui}`);
    // PREMIUM with a 100,000 limit, and MEDIUM with a 5,000 limit: the survivor ends MEDIUM
    expect((await assess(survivor, 90, '1000000')).userErrors).toEqual([]);
    expect((await assess(duplicate, 60, '100000')).userErrors).toEqual([]);
    const before = await placeOnAccountOrder(duplicate, VARIANT, '1');
    expect(await reservation(before.id)).toMatchObject({ customer_id: duplicate, amount: before.total.amount });

    expect((await gql(MERGE, { input: { survivorId: survivor, mergedId: duplicate } })).data.mergeCustomers.userErrors).toEqual([]);
    await eventually(async () => (await reservation(before.id)).customer_id === survivor, 15_000);
    expect(await profileRow(duplicate)).toBeUndefined();
    expect(await profileRow(survivor)).toEqual({ tier: 'MEDIUM', limit: '5000.00' });

    // the merged id leads to the survivor's profile, by query and through customers' reference
    const byOldId = (await gql(PROFILE, { id: duplicate })).data.creditProfile;
    expect(byOldId).toMatchObject({
      customer: { id: survivor },
      riskTier: 'MEDIUM',
      limit: { amount: '5000.00' },
      reserved: { amount: before.total.amount },
    });
    expect((await gql(CUSTOMER_PROFILE, { id: duplicate })).data.customer).toEqual({
      id: survivor,
      creditProfile: { riskTier: 'MEDIUM', limit: { amount: '5000.00' } },
    });

    // an order placed under the old id afterwards holds the survivor's credit
    const after = await placeOnAccountOrder(duplicate, VARIANT, '1');
    expect(await reservation(after.id)).toMatchObject({ customer_id: survivor, reason: null });
    // a reviewer using the old id sets the survivor's profile
    expect((await assess(duplicate, 75, '100000')).creditProfile).toMatchObject({ customer: { id: survivor }, riskTier: 'HIGH' });
    expect(await profileRow(duplicate)).toBeUndefined();
  });

  it('applied again, or out of order with a later merge of the survivor, ends in the same place', async () => {
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    expect((await assess(a, 40, '200000')).userErrors).toEqual([]); // LOW, 4,000
    const held = await hold(a);
    expect(held.state).toBe('HELD');

    // b was merged into c, then a into b: the second event arrives first for credit
    await apply(merged(b, c));
    await apply(merged(a, b));
    expect((await reservation(held.orderId)).customer_id).toBe(c);
    expect(await profileRow(a)).toBeUndefined();
    expect(await profileRow(c)).toEqual({ tier: 'LOW', limit: '4000.00' });
    // the same merge published again (another event id: the inbox does not know it) moves nothing more
    await apply(merged(a, b));
    expect(await profileRow(c)).toEqual({ tier: 'LOW', limit: '4000.00' });
    expect((await reservation(held.orderId)).customer_id).toBe(c);

    const later = await hold(a, '250.00');
    expect(later).toMatchObject({ customerId: c, state: 'HELD' });
    expect((await gql(PROFILE, { id: a })).data.creditProfile).toMatchObject({ customer: { id: c }, reserved: { amount: '350.00' } });
  });

  it('into a customer erased meanwhile drops the duplicate profile instead of moving it', async () => {
    const [dup, gone] = [uuidv7(), uuidv7()];
    expect((await assess(dup, 60, '100000')).userErrors).toEqual([]);
    const held = await hold(dup);
    await apply(erased(gone));
    await apply(merged(dup, gone));
    expect(await profileRow(dup)).toBeUndefined();
    expect(await profileRow(gone)).toBeUndefined();
    expect((await reservation(held.orderId)).customer_id).toBe(gone);
  });
});

describe('an erasure', () => {
  it('drops the profile and keeps the reservations (amounts, orders: what the law needs); no credit after it', async () => {
    const customerId = await company('Stergere Credit SRL', freshCui());
    expect((await assess(customerId, 60, '100000')).userErrors).toEqual([]);
    const order = await placeOnAccountOrder(customerId, VARIANT, '1');
    const kept = await reservation(order.id);
    expect(['HELD', 'CONSUMED']).toContain(kept.state);

    const res = await gql(ERASE, { input: { customerId, reason: 'request by e-mail, 2026-06-01' } });
    expect(res.data.eraseCustomer.userErrors).toEqual([]);
    await eventually(async () => (await profileRow(customerId)) === undefined, 15_000);
    const after = await reservation(order.id);
    expect(after).toMatchObject({ customer_id: customerId, amount: kept.amount });
    expect((await gql(PROFILE, { id: customerId })).data.creditProfile).toBeNull();

    const refused = await assess(customerId, 90, '1000000');
    expect(refused.userErrors).toEqual([{ field: ['input', 'customerId'], code: 'CUSTOMER_ERASED' }]);
    const next = await placeOnAccountOrder(customerId, VARIANT, '1');
    expect(await reservation(next.id)).toMatchObject({ state: 'REJECTED', reason: 'NO_CREDIT_PROFILE' });
  });
});

describe('customer links', () => {
  it('are under forced row-level security, like every credit table', async () => {
    const rows = await adminQuery(
      `select relname, relrowsecurity, relforcerowsecurity from pg_class
        where relnamespace = 'credit'::regnamespace and relkind = 'r' and relname <> 'mikro_orm_migrations' order by relname`,
    );
    expect(rows.find((r) => r.relname === 'customer_link')).toEqual({ relname: 'customer_link', relrowsecurity: true, relforcerowsecurity: true });
    expect(rows.every((r) => r.relrowsecurity && r.relforcerowsecurity)).toBe(true);
  });
});

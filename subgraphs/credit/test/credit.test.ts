import { loadKeys } from '@comanda/gateway';
import { type EventEnvelope, type Identity, signIdentity } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, inject, it } from 'vitest';
import { adminQuery, demo, eventually, gql, other, subgraphGql, tokenFor, withSubgraphEm } from '../../../tests/support/client.ts';
import { PLACE_ORDER, placePosOrder } from '../../../tests/support/flows.ts';
import {
  consumeCredit,
  consumeOnInvoice,
  credit,
  creditOnOrders,
  type ReserveCreditInput,
  releaseCredit,
  releaseOnPayment,
  reserveCredit,
} from '../src/index.ts';
import { type CreditSeed, seed } from '../src/seed.ts';

const CLUJ = demo.stores[1]!;
const company = (name: string) => demo.customers.find((c) => c.name.startsWith(name))!;
const CARPATICA = company('Carpatica');
const RISC = company('Risc');
const ANA = company('Ana');

/** Points adding up to `score`, filled part by part up to each maximum. */
function factorsFor(score: number) {
  let left = score;
  const take = (max: number) => {
    const points = Math.min(max, left);
    left -= points;
    return points;
  };
  return { registry: take(15), financials: take(30), behaviour: take(25), insolvency: take(20), litigation: take(10) };
}

const RECALCULATE = `mutation($input: RecalculateCreditProfileInput!) {
  recalculateCreditProfile(input: $input) {
    creditProfile { customer { id } score riskTier limit { amount currencyCode } reserved { amount } available { amount } factors { name points maxPoints explanation } }
    userErrors { field code message }
  }
}`;

/** A profile for a new customer id: score 60 (MEDIUM) and 100,000 revenue give a 5,000.00 limit. */
async function newProfile(options: { score?: number; annualRevenue?: string; currencyCode?: string } = {}): Promise<string> {
  const customerId = uuidv7();
  const res = await gql(RECALCULATE, {
    input: {
      customerId,
      factors: factorsFor(options.score ?? 60),
      annualRevenue: options.annualRevenue ?? '100000',
      currencyCode: options.currencyCode,
    },
  });
  expect(res.data.recalculateCreditProfile.userErrors).toEqual([]);
  return customerId;
}

/**
 * A real order for the reservations these tests make by hand: orders reacts to held and rejected
 * events (confirms or cancels the order), and an unknown order would be retried and dead-lettered
 * there, holding up its consumer. A POS order not on account, so credit's own reaction and
 * fiscal's invoicing leave it alone.
 */
async function realOrder(tenantId = demo.tenantId): Promise<string> {
  if (tenantId === demo.tenantId) return (await placePosOrder()).id;
  const token = await tokenFor({ role: 'manager', tenant: tenantId });
  return (await placePosOrder({ token, storeId: other.stores[0]!.id, lines: [{ variantId: other.products[0]!.variants[0]!.id, quantity: '1' }] })).id;
}

async function reserve(input: Partial<ReserveCreditInput> & { customerId: string }, tenantId = demo.tenantId) {
  const orderId = input.orderId ?? (await realOrder(tenantId));
  return withSubgraphEm(credit, tenantId, (em) => reserveCredit(em, { storeId: CLUJ.id, amount: '1000.00', currency: 'RON', ...input, orderId }));
}
const release = (orderId: string) => withSubgraphEm(credit, demo.tenantId, (em) => releaseCredit(em, orderId));
const consume = (orderId: string) => withSubgraphEm(credit, demo.tenantId, (em) => consumeCredit(em, orderId));

async function heldSum(customerId: string): Promise<string> {
  const [row] = await adminQuery<{ held: string }>(
    `select coalesce(sum(amount), 0)::numeric(18,2)::text as held from credit.credit_reservation where customer_id = $1 and state in ('HELD', 'CONSUMED')`,
    [customerId],
  );
  return row!.held;
}

async function eventsOf(aggregateId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return adminQuery('select type, data from credit.outbox where aggregate_id = $1 order by position', [aggregateId]);
}

const PROFILE = `query($id: ID!) { creditProfile(customerId: $id) { score riskTier limit { amount currencyCode } reserved { amount } available { amount } } }`;

describe('credit profiles through the gateway', () => {
  it('shows a company its score, tier, limit and the five explained factors on Customer', async () => {
    const res = await gql(
      `query($id: ID!) { customer(id: $id) { id name creditProfile {
         customer { id } score riskTier limit { amount currencyCode } reserved { amount } available { amount }
         factors { name points maxPoints explanation } updatedAt } } }`,
      { id: CARPATICA.id },
    );
    expect(res.errors).toBeUndefined();
    const profile = res.data.customer.creditProfile;
    expect(profile).toMatchObject({
      customer: { id: CARPATICA.id },
      score: 87,
      riskTier: 'PREMIUM',
      limit: { amount: '240000.00', currencyCode: 'RON' },
    });
    expect(Number(profile.available.amount)).toBeCloseTo(240000 - Number(profile.reserved.amount), 2);
    expect(profile.factors.map((f: { name: string; points: number; maxPoints: number }) => [f.name, f.points, f.maxPoints])).toEqual([
      ['Tax and registry status', 15, 15],
      ['Financial results', 24, 30],
      ['Payment behaviour with us', 20, 25],
      ['Insolvency records', 20, 20],
      ['Litigation', 8, 10],
    ]);
    expect(profile.factors[1].explanation).toContain('annual revenue 2400000.00 RON');
  });

  it('gives persons no profile and BLOCKED companies a zero limit', async () => {
    const res = await gql(
      `query($a: ID!, $r: ID!) { a: customer(id: $a) { creditProfile { score } } r: customer(id: $r) { creditProfile { score riskTier limit { amount } available { amount } } } }`,
      { a: ANA.id, r: RISC.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.a.creditProfile).toBeNull();
    expect(res.data.r.creditProfile).toEqual({ score: 15, riskTier: 'BLOCKED', limit: { amount: '0.00' }, available: { amount: '0.00' } });
  });

  it('answers the creditProfile query, null for unknown and malformed ids', async () => {
    const res = await gql(
      `query($a: ID!, $b: ID!, $c: ID!) { a: creditProfile(customerId: $a) { score } b: creditProfile(customerId: $b) { score } c: creditProfile(customerId: $c) { score } }`,
      {
        a: CARPATICA.id.toUpperCase(),
        b: uuidv7(),
        c: 'not-a-uuid',
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: { score: 87 }, b: null, c: null });
  });

  it('lets every staff role read profiles and refuses partners and devices', async () => {
    for (const role of ['owner', 'manager', 'cashier', 'accountant'] as const) {
      const res = await gql(PROFILE, { id: CARPATICA.id }, { token: await tokenFor({ role }) });
      expect(res.data?.creditProfile?.score, role).toBe(87);
    }
    for (const roles of [['partner'], ['device']] as Identity['roles'][]) {
      const res = await subgraphGql(
        'credit',
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { creditProfile { score } } } }`,
        {
          r: [{ __typename: 'Customer', id: CARPATICA.id }],
        },
        { roles },
      );
      expect(res.errors?.[0]?.extensions?.code, roles[0]).toBe('FORBIDDEN');
      const query = await subgraphGql('credit', PROFILE, { id: CARPATICA.id }, { roles });
      expect(query.errors?.[0]?.extensions?.code, roles[0]).toBe('FORBIDDEN');
    }
  });
});

describe('recalculateCreditProfile', () => {
  it('creates a profile, then replaces it, publishing profile.recalculated each time', async () => {
    const customerId = uuidv7();
    const first = await gql(RECALCULATE, {
      input: { customerId, factors: factorsFor(60), annualRevenue: '100000.00', notes: { behaviour: 'pays within 10 days' } },
    });
    expect(first.data.recalculateCreditProfile).toMatchObject({
      userErrors: [],
      creditProfile: {
        customer: { id: customerId },
        score: 60,
        riskTier: 'MEDIUM',
        limit: { amount: '5000.00', currencyCode: 'RON' },
        available: { amount: '5000.00' },
      },
    });
    expect(first.data.recalculateCreditProfile.creditProfile.factors[2].explanation).toContain('pays within 10 days');

    const second = await gql(RECALCULATE, { input: { customerId, factors: factorsFor(85), annualRevenue: '100000' } });
    expect(second.data.recalculateCreditProfile.creditProfile).toMatchObject({ score: 85, riskTier: 'PREMIUM', limit: { amount: '10000.00' } });
    expect(second.data.recalculateCreditProfile.creditProfile.factors[2].explanation).not.toContain('pays within 10 days');

    const events = await eventsOf(customerId);
    expect(events.map((e) => e.type)).toEqual(['comanda.credit.profile.recalculated.v1', 'comanda.credit.profile.recalculated.v1']);
    expect(events[1]!.data).toMatchObject({
      customerId,
      score: 85,
      riskTier: 'PREMIUM',
      limit: '10000.00',
      previousLimit: '5000.00',
      currency: 'RON',
    });
    const [row] = await adminQuery('select tenant_id, updated_by from credit.credit_profile where customer_id = $1', [customerId]);
    expect(row.tenant_id).toBe(demo.tenantId);
  });

  it('reports every bad input at once and writes nothing', async () => {
    const res = await gql(RECALCULATE, {
      input: {
        customerId: 'nope',
        factors: { registry: 16, financials: 30, behaviour: -1, insolvency: 20, litigation: 10 },
        annualRevenue: '-5',
      },
    });
    expect(res.data.recalculateCreditProfile.creditProfile).toBeNull();
    expect(res.data.recalculateCreditProfile.userErrors.map((e: { code: string; field: string[] }) => `${e.code} ${e.field.join('.')}`)).toEqual([
      'UNKNOWN_CUSTOMER input.customerId',
      'INVALID_FACTOR input.factors.registry',
      'INVALID_FACTOR input.factors.behaviour',
      'INVALID_AMOUNT input.annualRevenue',
    ]);
    const customerId = uuidv7();
    const bad = await gql(RECALCULATE, { input: { customerId, factors: factorsFor(50), annualRevenue: '10.123' } });
    expect(bad.data.recalculateCreditProfile.userErrors.map((e: { code: string }) => e.code)).toEqual(['INVALID_AMOUNT']);
    expect(await adminQuery('select 1 from credit.credit_profile where customer_id = $1', [customerId])).toHaveLength(0);
    expect(await eventsOf(customerId)).toHaveLength(0);
  });

  it('is for owners, managers and accountants only', async () => {
    const input = { customerId: uuidv7(), factors: factorsFor(50), annualRevenue: '1000' };
    for (const role of ['cashier', 'partner', 'device'] as const) {
      const res = await gql(RECALCULATE, { input }, { token: await tokenFor({ role, printer: role === 'device' ? CLUJ.printerId : undefined }) });
      expect(res.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    const accountant = await gql(RECALCULATE, { input }, { token: await tokenFor({ role: 'accountant' }) });
    expect(accountant.data.recalculateCreditProfile.userErrors).toEqual([]);
  });

  it('keeps a lowered limit honest: holds stay, nothing more is available', async () => {
    const customerId = await newProfile();
    await reserve({ customerId, amount: '4000.00' });
    const lowered = await gql(RECALCULATE, { input: { customerId, factors: factorsFor(35), annualRevenue: '100000' } });
    expect(lowered.data.recalculateCreditProfile.creditProfile).toMatchObject({
      riskTier: 'LOW',
      limit: { amount: '2000.00' },
      reserved: { amount: '4000.00' },
      available: { amount: '0.00' },
    });
    expect((await reserve({ customerId, amount: '0.01' })).reason).toBe('OVER_LIMIT');
  });

  it('refuses a currency change while credit is held', async () => {
    const customerId = await newProfile();
    const order = await reserve({ customerId, amount: '10.00' });
    const res = await gql(RECALCULATE, { input: { customerId, factors: factorsFor(60), annualRevenue: '100000', currencyCode: 'EUR' } });
    expect(res.data.recalculateCreditProfile.userErrors.map((e: { code: string }) => e.code)).toEqual(['CURRENCY_CHANGE_WITH_HELD_CREDIT']);
    await release(order.orderId);
    const again = await gql(RECALCULATE, { input: { customerId, factors: factorsFor(60), annualRevenue: '100000', currencyCode: 'EUR' } });
    expect(again.data.recalculateCreditProfile.creditProfile.limit).toEqual({ amount: '5000.00', currencyCode: 'EUR' });
  });
});

describe('reserveCredit', () => {
  it('holds exactly what fits under 20 concurrent reservations: 5 of 1,000 against a 5,000 limit', async () => {
    const customerId = await newProfile();
    const results = await Promise.all(Array.from({ length: 20 }, () => reserve({ customerId, amount: '1000.00' })));
    expect(results.filter((r) => r.state === 'HELD')).toHaveLength(5);
    expect(results.filter((r) => r.state === 'REJECTED').map((r) => r.reason)).toEqual(Array(15).fill('OVER_LIMIT'));
    expect(await heldSum(customerId)).toBe('5000.00');
    const held = results.filter((r) => r.state === 'HELD');
    const events = (await Promise.all(results.map((r) => eventsOf(r.id)))).flat();
    expect(events.filter((e) => e.type === 'comanda.credit.reservation.held.v1')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'comanda.credit.reservation.rejected.v1')).toHaveLength(15);
    const availableAfter = events.filter((e) => e.type.endsWith('held.v1')).map((e) => e.data.available);
    expect(availableAfter.sort()).toEqual(['0.00', '1000.00', '2000.00', '3000.00', '4000.00']);
    const res = await gql(PROFILE, { id: customerId });
    expect(res.data.creditProfile).toMatchObject({ reserved: { amount: '5000.00' }, available: { amount: '0.00' } });
    expect(held.every((r) => r.amount && r.customerId === customerId)).toBe(true);
  });

  it('never passes the limit with uneven concurrent amounts', async () => {
    const customerId = await newProfile();
    const amounts = Array.from({ length: 30 }, (_, i) => `${((i * 37) % 900) + 100}.${String(i).padStart(2, '0')}`);
    const results = await Promise.all(amounts.map((amount) => reserve({ customerId, amount })));
    const held = results.filter((r) => r.state === 'HELD').reduce((acc, r) => acc + Number(r.amount), 0);
    expect(Number(await heldSum(customerId))).toBeCloseTo(held, 2);
    expect(Number(await heldSum(customerId))).toBeLessThanOrEqual(5000);
    // whoever was rejected did not fit in what was left when its turn came
    expect(results.some((r) => r.state === 'REJECTED')).toBe(true);
  });

  it('is idempotent per order: a repeat returns the first reservation, also concurrently', async () => {
    const customerId = await newProfile();
    const orderId = await realOrder();
    const twins = await Promise.all(Array.from({ length: 10 }, () => reserve({ customerId, orderId, amount: '100.00' })));
    expect(new Set(twins.map((r) => r.id)).size).toBe(1);
    expect(twins[0]!.state).toBe('HELD');
    const again = await reserve({ customerId, orderId, amount: '100.00' });
    expect(again.id).toBe(twins[0]!.id);
    expect(await heldSum(customerId)).toBe('100.00');
    expect((await eventsOf(again.id)).map((e) => e.type)).toEqual(['comanda.credit.reservation.held.v1']);
    await release(orderId);
    expect((await reserve({ customerId, orderId, amount: '100.00' })).state).toBe('RELEASED');
  });

  it('rejects with the reason: no profile, blocked, another currency', async () => {
    const noProfile = await reserve({ customerId: uuidv7() });
    expect([noProfile.state, noProfile.reason]).toEqual(['REJECTED', 'NO_CREDIT_PROFILE']);
    const blocked = await reserve({ customerId: RISC.id, amount: '1.00' });
    expect([blocked.state, blocked.reason]).toEqual(['REJECTED', 'CREDIT_BLOCKED']);
    const euro = await reserve({ customerId: await newProfile(), currency: 'EUR' });
    expect([euro.state, euro.reason]).toEqual(['REJECTED', 'CURRENCY_MISMATCH']);
    const [event] = await eventsOf(blocked.id);
    expect(event).toMatchObject({
      type: 'comanda.credit.reservation.rejected.v1',
      data: {
        orderId: blocked.orderId,
        customerId: RISC.id,
        storeId: CLUJ.id,
        state: 'REJECTED',
        reason: 'CREDIT_BLOCKED',
        amount: '1.00',
        available: '0.00',
      },
    });
    expect((await eventsOf(noProfile.id))[0]!.data.available).toBeNull();
  });

  it('refuses a malformed request whole, writing nothing', async () => {
    const orderId = uuidv7();
    await expect(reserve({ orderId, customerId: 'x', storeId: 'y', amount: '0', currency: 'ron' })).rejects.toMatchObject({
      errors: [{ code: 'INVALID_CUSTOMER_ID' }, { code: 'INVALID_STORE_ID' }, { code: 'INVALID_AMOUNT' }, { code: 'INVALID_CURRENCY' }],
    });
    await expect(reserve({ orderId, customerId: uuidv7(), amount: '1.005' })).rejects.toMatchObject({ errors: [{ code: 'INVALID_AMOUNT' }] });
    expect(await adminQuery('select 1 from credit.credit_reservation where order_id = $1', [orderId])).toHaveLength(0);
  });
});

describe('release and consume', () => {
  it('release gives the amount back once; later moves change nothing', async () => {
    const customerId = await newProfile();
    const held = await reserve({ customerId, amount: '1500.00' });
    const released = await release(held.orderId);
    expect(released?.state).toBe('RELEASED');
    expect(await heldSum(customerId)).toBe('0.00');
    expect((await release(held.orderId))?.state).toBe('RELEASED');
    expect((await consume(held.orderId))?.state).toBe('RELEASED');
    const events = await eventsOf(held.id);
    expect(events.map((e) => e.type)).toEqual(['comanda.credit.reservation.held.v1', 'comanda.credit.reservation.released.v1']);
    expect(events[1]!.data).toMatchObject({ state: 'RELEASED', amount: '1500.00', available: '5000.00' });
  });

  it('consume turns the hold into a receivable that still counts until it is paid (released)', async () => {
    const customerId = await newProfile();
    const held = await reserve({ customerId, amount: '700.00' });
    expect((await consume(held.orderId))?.state).toBe('CONSUMED');
    expect((await consume(held.orderId))?.state).toBe('CONSUMED');
    expect(await heldSum(customerId)).toBe('700.00');
    expect((await release(held.orderId))?.state).toBe('RELEASED');
    expect(await heldSum(customerId)).toBe('0.00');
    expect((await eventsOf(held.id)).map((e) => e.type)).toEqual([
      'comanda.credit.reservation.held.v1',
      'comanda.credit.reservation.consumed.v1',
      'comanda.credit.reservation.released.v1',
    ]);
  });

  it('leaves a rejected reservation alone and ignores unknown or malformed orders', async () => {
    const rejected = await reserve({ customerId: uuidv7() });
    expect((await release(rejected.orderId))?.state).toBe('REJECTED');
    expect(await release(uuidv7())).toBeNull();
    expect(await consume('not-a-uuid')).toBeNull();
    expect(await eventsOf(rejected.id)).toHaveLength(1);
  });

  it('moves at most once per state under concurrent release and consume, and ends released', async () => {
    const customerId = await newProfile();
    const held = await reserve({ customerId, amount: '10.00' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? release(held.orderId) : consume(held.orderId))));
    const types = (await eventsOf(held.id)).map((e) => e.type.split('.')[3]);
    // consumed first (then released by a later release), or released at once: never a state twice
    expect([
      ['held', 'released'],
      ['held', 'consumed', 'released'],
    ]).toContainEqual(types);
    expect(await heldSum(customerId)).toBe('0.00');
  });
});

function envelope(type: string, data: Record<string, unknown>, tenantId = demo.tenantId): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: type.split('.')[1]!,
    type,
    subject: String(data.orderId ?? uuidv7()),
    time: new Date().toISOString(),
    tenantid: tenantId,
    storeid: CLUJ.id,
    sequence: 1,
    traceparent: null,
    datacontenttype: 'application/json',
    data,
  };
}

const handle = (handler: { handle: (em: any, e: EventEnvelope) => Promise<void> }, event: EventEnvelope) =>
  withSubgraphEm(credit, event.tenantid, (em) => handler.handle(em, event));

async function stateOf(orderId: string): Promise<{ state: string; amount: string; reason: string | null } | undefined> {
  const [row] = await adminQuery('select state, amount::numeric(18,2)::text as amount, reason from credit.credit_reservation where order_id = $1', [
    orderId,
  ]);
  return row;
}

describe('reactions', () => {
  const placed = async (customerId: string, overrides: Record<string, unknown> = {}) => ({
    orderId: await realOrder(),
    storeId: CLUJ.id,
    customerId,
    channel: 'B2B',
    payOnAccount: true,
    currency: 'RON',
    total: '242.00',
    ...overrides,
  });

  it('order.placed on account holds the total; other orders are none of credit business', async () => {
    const customerId = await newProfile();
    const onAccount = await placed(customerId);
    await handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', onAccount));
    expect(await stateOf(onAccount.orderId)).toEqual({ state: 'HELD', amount: '242.00', reason: null });
    const cash = await placed(customerId, { payOnAccount: false });
    await handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', cash));
    const free = await placed(customerId, { total: '0.00' });
    await handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', free));
    expect(await stateOf(cash.orderId)).toBeUndefined();
    expect(await stateOf(free.orderId)).toBeUndefined();
  });

  it('order.cancelled releases; a settled payment releases; a partial one does not', async () => {
    const customerId = await newProfile();
    const cancelled = await placed(customerId);
    await handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', cancelled));
    await handle(creditOnOrders, envelope('comanda.orders.order.cancelled.v1', { orderId: cancelled.orderId, to: 'CANCELLED' }));
    expect((await stateOf(cancelled.orderId))?.state).toBe('RELEASED');

    const paid = await placed(customerId);
    await handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', paid));
    await handle(releaseOnPayment, envelope('comanda.payments.payment.captured.v1', { orderId: paid.orderId, paymentStatus: 'PARTIALLY_PAID' }));
    expect((await stateOf(paid.orderId))?.state).toBe('HELD');
    await handle(releaseOnPayment, envelope('comanda.payments.payment.captured.v1', { orderId: paid.orderId, paymentStatus: 'PAID' }));
    expect((await stateOf(paid.orderId))?.state).toBe('RELEASED');
  });

  it('invoice.issued consumes the hold of its order', async () => {
    const customerId = await newProfile();
    const invoiced = await placed(customerId);
    await handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', invoiced));
    await handle(consumeOnInvoice, envelope('comanda.fiscal.invoice.issued.v1', { invoiceId: uuidv7(), orderId: invoiced.orderId }));
    await handle(consumeOnInvoice, envelope('comanda.fiscal.invoice.issued.v1', { invoiceId: uuidv7(), orderId: null }));
    expect((await stateOf(invoiced.orderId))?.state).toBe('CONSUMED');
  });

  it('refuses a placed event without the fields it needs (so it is dead-lettered, not half-applied)', async () => {
    const broken = await placed(uuidv7(), { customerId: null });
    await expect(handle(creditOnOrders, envelope('comanda.orders.order.placed.v1', broken))).rejects.toThrow(/customerId/);
    expect(await stateOf(broken.orderId)).toBeUndefined();
  });
});

describe('order to cash on account, through the event flow', () => {
  const RESERVATION = `query($id: ID!) { order(id: $id) { id total { amount } creditReservation { id state amount { amount currencyCode } reason order { id } } } }`;

  async function placeOnAccount(customerId: string, quantity = '10') {
    const res = await gql(PLACE_ORDER, {
      input: {
        storeId: CLUJ.id,
        clientOrderId: crypto.randomUUID(),
        channel: 'B2B',
        customerId,
        payOnAccount: true,
        lines: [{ variantId: demo.products[2]!.variants[0]!.id, quantity }],
      },
    });
    const order = res.data?.placeOrder?.order;
    if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(res)}`);
    return order as { id: string; total: { amount: string } };
  }

  const reservationOf = (orderId: string) =>
    eventually(async () => {
      const res = await gql(RESERVATION, { id: orderId });
      return res.data?.order?.creditReservation ?? null;
    });

  it('holds the order total when the order is placed, and the invoice consumes it', async () => {
    const customerId = await newProfile();
    const order = await placeOnAccount(customerId);
    const reservation = await reservationOf(order.id);
    expect(['HELD', 'CONSUMED']).toContain(reservation.state);
    expect(reservation).toMatchObject({ amount: { amount: order.total.amount, currencyCode: 'RON' }, reason: null, order: { id: order.id } });
    // confirming issues the invoice (a no-op if orders already confirmed it on the hold)
    await gql('mutation($input: TransitionOrderInput!) { transitionOrder(input: $input) { userErrors { code } } }', {
      input: { orderId: order.id, to: 'CONFIRMED' },
    });
    await eventually(async () => (await stateOf(order.id))?.state === 'CONSUMED', 15_000);
    // an invoiced, unpaid order still counts against the limit
    expect(await heldSum(customerId)).toBe(order.total.amount);
  });

  it('rejects an order of a BLOCKED company with the reason', async () => {
    const order = await placeOnAccount(RISC.id, '1');
    const reservation = await reservationOf(order.id);
    expect(reservation).toMatchObject({ state: 'REJECTED', reason: 'CREDIT_BLOCKED' });
  });

  it('gives the hold back when the order is cancelled', async () => {
    const customerId = await newProfile();
    const order = await placeOnAccount(customerId, '1');
    await gql('mutation($input: TransitionOrderInput!) { transitionOrder(input: $input) { userErrors { code } } }', {
      input: { orderId: order.id, to: 'CANCELLED', reason: 'customer changed their mind' },
    });
    // released by the cancellation, also when the order was confirmed and invoiced first
    await eventually(async () => (await stateOf(order.id))?.state === 'RELEASED', 15_000);
    expect(await heldSum(customerId)).toBe('0.00');
  });
});

describe('tenancy', () => {
  it('another tenant sees no profile and no reservation, also through _entities', async () => {
    const customerId = await newProfile();
    const held = await reserve({ customerId, amount: '10.00' });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Customer { creditProfile { score } }
      ... on Order { creditReservation { id } }
      ... on CreditReservation { id state }
      ... on StoreMetrics { creditExposure { amount } }
    } }`;
    const store = uuidv7();
    await reserve({ customerId, storeId: store, amount: '20.00' });
    const r = [
      { __typename: 'Customer', id: customerId },
      { __typename: 'Customer', id: CARPATICA.id },
      { __typename: 'Order', id: held.orderId },
      { __typename: 'CreditReservation', id: held.id },
      { __typename: 'StoreMetrics', storeId: store, currencyCode: 'RON' },
    ];
    const mine = await subgraphGql('credit', query, { r });
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([
      { creditProfile: { score: 60 } },
      { creditProfile: { score: 87 } },
      { creditReservation: { id: held.id } },
      { id: held.id, state: 'HELD' },
      { creditExposure: { amount: '20.00' } },
    ]);
    const theirs = await subgraphGql('credit', query, { r }, { tenantId: other.tenantId });
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data._entities).toEqual([
      { creditProfile: null },
      { creditProfile: null },
      { creditReservation: null },
      null,
      { creditExposure: { amount: '0.00' } },
    ]);
    const viaGateway = await gql(PROFILE, { id: CARPATICA.id }, { token: await tokenFor({ role: 'owner', tenant: other.tenantId }) });
    expect(viaGateway.data.creditProfile).toBeNull();
  });

  it("another tenant's reservation neither sees nor uses this tenant's profile", async () => {
    const foreign = await reserve({ customerId: CARPATICA.id, storeId: other.stores[0]!.id, amount: '1.00' }, other.tenantId);
    expect([foreign.state, foreign.reason, foreign.tenantId]).toEqual(['REJECTED', 'NO_CREDIT_PROFILE', other.tenantId]);
  });

  it('a store-bound token sees only its stores reservations', async () => {
    const customerId = await newProfile();
    const held = await reserve({ customerId, amount: '10.00' });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { creditReservation { id } } ... on CreditReservation { id } } }`;
    const r = [
      { __typename: 'Order', id: held.orderId },
      { __typename: 'CreditReservation', id: held.id },
    ];
    const mine = await subgraphGql('credit', query, { r }, { roles: ['cashier'], storeIds: [CLUJ.id] });
    expect(mine.data._entities).toEqual([{ creditReservation: { id: held.id } }, { id: held.id }]);
    const elsewhere = await subgraphGql('credit', query, { r }, { roles: ['cashier'], storeIds: [demo.stores[0]!.id] });
    expect(elsewhere.data._entities).toEqual([{ creditReservation: null }, null]);
  });
});

describe('StoreMetrics.creditExposure', () => {
  it('sums the HELD reservations of the store in its currency', async () => {
    const store = uuidv7();
    const customerId = await newProfile();
    const a = await reserve({ customerId, storeId: store, amount: '100.10' });
    await reserve({ customerId, storeId: store, amount: '200.20' });
    await reserve({ customerId, storeId: store, amount: '300.30' });
    await reserve({ customerId: RISC.id, storeId: store, amount: '50.00' });
    await release(a.orderId);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { creditExposure { amount currencyCode } } } }`;
    const res = await subgraphGql('credit', query, {
      r: [
        { __typename: 'StoreMetrics', storeId: store, currencyCode: 'RON' },
        { __typename: 'StoreMetrics', storeId: store, currencyCode: 'EUR' },
        { __typename: 'StoreMetrics', storeId: 'not-a-uuid', currencyCode: 'RON' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { creditExposure: { amount: '500.50', currencyCode: 'RON' } },
      { creditExposure: { amount: '0.00', currencyCode: 'EUR' } },
      { creditExposure: { amount: '0.00', currencyCode: 'RON' } },
    ]);
    const cashier = await subgraphGql(
      'credit',
      query,
      { r: [{ __typename: 'StoreMetrics', storeId: store, currencyCode: 'RON' }] },
      {
        roles: ['cashier'],
        storeIds: [CLUJ.id],
      },
    );
    expect(cashier.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is on the store dashboard through the gateway', async () => {
    const held = async () => {
      const [row] = await adminQuery<{ held: string }>(
        `select coalesce(sum(amount), 0)::numeric(18,2)::text as held from credit.credit_reservation where tenant_id = $1 and store_id = $2 and state in ('HELD', 'CONSUMED')`,
        [demo.tenantId, CLUJ.id],
      );
      return row!.held;
    };
    // other test files hold and release credit at this store meanwhile: compare at a quiet moment
    await eventually(async () => {
      const before = await held();
      const res = await gql(`query($s: ID!) { storeMetrics(storeId: $s) { storeId creditExposure { amount currencyCode } } }`, { s: CLUJ.id });
      expect(res.errors).toBeUndefined();
      const after = await held();
      if (before !== after) return false;
      expect(res.data.storeMetrics.creditExposure).toEqual({ amount: after, currencyCode: 'RON' });
      return true;
    });
  });
});

describe('batching', () => {
  /** Straight to credit with a request id, then the statements credit counted for it. */
  async function statementsFor(representations: unknown[]): Promise<number> {
    const { internalSecret } = await loadKeys(inject('keysDir'));
    const identity: Identity = { tenantId: demo.tenantId, userId: 'test', roles: ['manager'], storeIds: null, printerId: null };
    const requestId = `credit-${uuidv7()}`;
    const url = inject('subgraphUrls').credit!;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-comanda-identity': await signIdentity(identity, internalSecret) },
      body: JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) {
          ... on Customer { creditProfile { score reserved { amount } available { amount } factors { points } } }
          ... on Order { creditReservation { state amount { amount } } }
          ... on CreditReservation { state }
          ... on StoreMetrics { creditExposure { amount } }
        } }`,
        variables: { r: representations },
      }),
    });
    const body = (await res.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    const counted = (await (await fetch(new URL(`/debug/sql?requestId=${requestId}`, url))).json()) as { statements: number };
    return counted.statements;
  }

  it('costs the same SQL statements for 100 parents as for 10', async () => {
    const profiles = await Promise.all(Array.from({ length: 5 }, () => newProfile()));
    const held = await Promise.all(profiles.map((customerId) => reserve({ customerId, amount: '1.00' })));
    // misses cost as much as hits when a lookup is not batched, so most parents need not exist
    const page = (n: number) =>
      Array.from({ length: n }, (_, i) => {
        const known = held[i % held.length]!;
        const real = i < held.length;
        return [
          { __typename: 'Customer', id: i % 2 ? profiles[i % profiles.length]! : uuidv7() },
          { __typename: 'Order', id: real ? known.orderId : uuidv7() },
          { __typename: 'CreditReservation', id: real ? known.id : uuidv7() },
          { __typename: 'StoreMetrics', storeId: i % 3 ? uuidv7() : CLUJ.id, currencyCode: 'RON' },
        ];
      }).flat();
    const ten = await statementsFor(page(10));
    const hundred = await statementsFor(page(100));
    expect(ten).toBeGreaterThan(0);
    expect(hundred).toBe(ten);
  });
});

describe('seed', () => {
  it('gives every customer with credit data a RON profile and changes nothing when run again', async () => {
    const before = await adminQuery(
      `select customer_id, currency, score, tier, credit_limit::text, updated_at from credit.credit_profile where tenant_id = 'demo' and updated_by = 'seed' order by customer_id`,
    );
    const seeded = demo.customers
      .filter((c) => c.credit)
      .map((c) => c.id)
      .sort();
    expect(before.map((r) => r.customer_id)).toEqual(expect.arrayContaining(seeded));
    expect(new Set(before.map((r) => r.currency))).toEqual(new Set(['RON']));
    await withSubgraphEm(credit, demo.tenantId, (em) => seed(em, demo));
    const after = await adminQuery(
      `select customer_id, currency, score, tier, credit_limit::text, updated_at from credit.credit_profile where tenant_id = 'demo' and updated_by = 'seed' order by customer_id`,
    );
    expect(after).toEqual(before);
  });

  it('leaves a recalculated profile as the reviewer left it', async () => {
    const customerId = uuidv7();
    const tenant: CreditSeed = {
      tenantId: demo.tenantId,
      customers: [
        { id: customerId, credit: { registry: 15, financials: 30, behaviour: 25, insolvency: 20, litigation: 10, annualRevenue: '1000000' } },
      ],
    };
    await withSubgraphEm(credit, demo.tenantId, (em) => seed(em, tenant));
    expect((await gql(PROFILE, { id: customerId })).data.creditProfile).toMatchObject({ score: 100, limit: { amount: '100000.00' } });
    await gql(RECALCULATE, { input: { customerId, factors: factorsFor(40), annualRevenue: '1000000' } });
    await withSubgraphEm(credit, demo.tenantId, (em) => seed(em, tenant));
    expect((await gql(PROFILE, { id: customerId })).data.creditProfile).toMatchObject({ score: 40, riskTier: 'LOW' });
  });

  it('refuses an EntityManager bound to another tenant', async () => {
    await expect(withSubgraphEm(credit, other.tenantId, (em) => seed(em, demo))).rejects.toThrow(/bound to acme/);
  });
});

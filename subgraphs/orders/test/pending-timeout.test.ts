import { randomUUID } from 'node:crypto';
import { loadKeys } from '@comanda/gateway';
import { appDatabaseUrl, createLogger, openOrm, type SubgraphRuntime, startSubgraph } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery, databaseUrl, demo, eventually } from '../../../tests/support/client.ts';
import { pay } from '../../../tests/support/flows.ts';
import { entities } from '../src/entities.ts';
import { createOrders } from '../src/index.ts';
import { expirePendingOnce } from '../src/services/pending-timeout.ts';
import { call, freshProduct, place, pos } from './support.ts';

const log = createLogger('orders-timeout-test');

async function backdate(orderIds: string[], minutes: number): Promise<void> {
  await adminQuery(`update orders.sales_order set created_at = created_at - make_interval(mins => $2) where id = any($1)`, [orderIds, minutes]);
}

async function statuses(orderIds: string[]): Promise<Record<string, string>> {
  const rows = await adminQuery('select id, status from orders.sales_order where id = any($1)', [orderIds]);
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

async function cancellations(orderIds: string[]) {
  return adminQuery(`select order_id, actor, reason from orders.order_event where order_id = any($1) and type = 'cancelled'`, [orderIds]);
}

describe('the pending-order timeout job', () => {
  let variantId: string;
  const instances: MikroORM[] = [];

  beforeAll(async () => {
    variantId = (await freshProduct(['10.00'])).variants[0]!.id;
    // three "instances" of the job: each its own ORM and connection pool, as three processes would have
    for (let i = 0; i < 3; i++) instances.push(await openOrm('orders', entities, appDatabaseUrl(databaseUrl(), 'orders')));
  });
  afterAll(async () => {
    for (const orm of instances) await orm.close();
  });

  const order = async (channel: string, extra: Record<string, unknown> = {}, role: 'cashier' | 'manager' = 'manager') =>
    (await place({ channel, lines: [{ variantId, quantity: '1' }], ...extra }, role)).order.id as string;

  it('cancels expired unpaid web and mobile orders once each, with several instances at it at the same time', async () => {
    const expired = [];
    for (let i = 0; i < 30; i++) expired.push(await order(i % 2 ? 'WEB' : 'MOBILE'));
    await backdate(expired, 31);

    const counts = await Promise.all(instances.map((orm) => expirePendingOnce(orm, log, { intervalMs: 1000, batchSize: 100 })));
    // the stack's own job may have taken some first: between them, every order once
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(expired.length);
    expect(Object.values(await statuses(expired)).every((s) => s === 'CANCELLED')).toBe(true);
    const events = await cancellations(expired);
    expect(events).toHaveLength(expired.length);
    expect(new Set(events.map((e) => e.order_id)).size).toBe(expired.length);
    expect(events.every((e) => e.actor === 'system:timeout' && e.reason === 'TIMEOUT')).toBe(true);
    const [outbox] = await adminQuery(
      `select count(*)::int as n from orders.outbox where aggregate_id = any($1) and type = 'comanda.orders.order.cancelled.v1' and data->>'reason' = 'TIMEOUT'`,
      [expired],
    );
    expect(outbox.n).toBe(expired.length);
    // a second pass finds nothing left to do
    expect(await expirePendingOnce(instances[0]!, log, { intervalMs: 1000, batchSize: 100 })).toBe(0);
  });

  // (orders on account are left to credit, which confirms or cancels them at once: the unit tests cover them)
  it('leaves alone what must not time out', async () => {
    const pos1 = await order('POS', {}, 'cashier');
    const b2b = await order('B2B');
    const marketplace = await order('MARKETPLACE');
    const fresh = await order('WEB');
    const beingPaid = await order('WEB');
    // a bank transfer on its way: payments says pending, and orders hears of it
    const total = (await call(`query($id: ID!) { order(id: $id) { total { amount } } }`, { id: beingPaid })).order.total.amount;
    const payment = await pay(beingPaid, total, 'BANK_TRANSFER');
    expect(payment.state).toBe('PENDING');
    await eventually(async () => (await adminQuery('select payment_seen_at from orders.sales_order where id = $1', [beingPaid]))[0]?.payment_seen_at);

    const neverStore = randomUUID();
    await adminQuery(
      `insert into orders.store (id, tenant_id, name, currency_code, country_code, timezone, prices_include_vat, pending_timeout_minutes, order_number_prefix)
       values ($1, $2, 'No timeout store', 'RON', 'RO', 'Europe/Bucharest', true, null, 'N')`,
      [neverStore, demo.tenantId],
    );
    const inNeverStore = await order('WEB', { storeId: neverStore });

    await backdate([pos1, b2b, marketplace, beingPaid, inNeverStore], 24 * 60);
    await backdate([fresh], 29);
    await expirePendingOnce(instances[0]!, log, { intervalMs: 1000, batchSize: 1000 });
    const all = [pos1, b2b, marketplace, fresh, beingPaid, inNeverStore];
    const now = await statuses(all);
    expect(all.map((id) => now[id])).toEqual(all.map(() => 'PENDING'));
    expect(await cancellations(all)).toEqual([]);
  });

  it('gives back the promotion use of a timed-out order', async () => {
    const created = await call(
      `mutation($c: String!) { createPromotion(input: { code: $c, name: "Web only", kind: FIXED_AMOUNT, value: "1", usageLimit: 1 }) { promotion { id code } } }`,
      { c: `WEB${randomUUID().slice(0, 6)}`.toUpperCase() },
    );
    const promo = created.createPromotion.promotion;
    const id = await order('WEB', { promotionCodes: [promo.code] });
    await backdate([id], 40);
    await expirePendingOnce(instances[1]!, log, { intervalMs: 1000, batchSize: 100 });
    expect((await statuses([id]))[id]).toBe('CANCELLED');
    expect((await call(`query($id: ID!) { promotion(id: $id) { timesUsed } }`, { id: promo.id })).promotion.timesUsed).toBe(0);
  });
});

describe('the job in a running orders service', () => {
  let runtime: SubgraphRuntime;

  beforeAll(async () => {
    const keys = await loadKeys(inject('keysDir'));
    // its own orders service with a quick job; reactions and live feeds stay with the stack's instance
    runtime = await startSubgraph(
      { ...createOrders({ timeouts: { intervalMs: 200, batchSize: 100 } }), consumes: [], live: undefined },
      { databaseUrl: databaseUrl(), identitySecret: keys.internalSecret, port: 0, migrated: true },
    );
  });
  afterAll(() => runtime?.stop());

  it('cancels an expired order by itself', async () => {
    const variantId = (await freshProduct(['3.00'])).variants[0]!.id;
    const id = (await place({ storeId: pos.id, channel: 'WEB', lines: [{ variantId, quantity: '1' }] }, 'manager')).order.id;
    await backdate([id], 31);
    await eventually(async () => (await statuses([id]))[id] === 'CANCELLED', 10_000);
    expect(await cancellations([id])).toEqual([{ order_id: id, actor: 'system:timeout', reason: 'TIMEOUT' }]);
  });
});

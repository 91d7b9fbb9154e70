import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { OfflineError } from '../src/lib/graphql/api.ts';
import { database, resetDatabase } from '../src/lib/offline/db.ts';
import { Outbox } from '../src/lib/offline/outbox.svelte.ts';
import { uuidv7 } from '../src/lib/uuid.ts';
import { FakeServer, sale } from './fakes.ts';

beforeEach(() => {
  // a brand-new IndexedDB per test
  globalThis.indexedDB = new IDBFactory();
  resetDatabase();
});

describe('the offline queue', () => {
  it('sends a sale online: order, then payment, then done', async () => {
    const server = new FakeServer();
    const outbox = new Outbox();
    outbox.use(server.api());
    const done = await outbox.complete(sale('a'));
    expect(done.state).toBe('done');
    expect(done.order?.number).toBe('B-000001');
    expect(done.payments[0]).toMatchObject({ state: 'done', change: '10.00' });
    expect(server.calls.map((c) => c.split(' ')[0])).toEqual(['place', 'pay']);
  });

  it('keeps sales taken offline in IndexedDB, across a reload, and sends them in order, once', async () => {
    const server = new FakeServer();
    server.online = false;
    const till = new Outbox();
    till.use(server.api());
    const taken = [sale('1'), sale('2'), sale('3')];
    for (const s of taken) expect((await till.complete(s)).state).toBe('queued');
    expect(till.waiting).toHaveLength(3);
    expect(till.blocked).toBe('offline');
    expect(server.orders.size).toBe(0);

    // the page reloads: a new Outbox reads the queue back from IndexedDB
    const reloaded = new Outbox();
    await reloaded.load();
    expect(reloaded.waiting.map((s) => s.clientOrderId)).toEqual(taken.map((s) => s.clientOrderId));

    server.online = true;
    reloaded.use(server.api());
    await reloaded.drain();
    expect(reloaded.waiting).toHaveLength(0);
    expect(server.orders.size).toBe(3);
    expect(server.payments.size).toBe(3);
    const placed = server.calls.filter((c) => c.startsWith('place')).map((c) => c.split(' ')[1]);
    expect(placed).toEqual(taken.map((s) => s.clientOrderId));
    // order numbers follow the order in which the cashier took the sales
    expect(reloaded.recent.map((s) => s.order?.number).reverse()).toEqual(['B-000001', 'B-000002', 'B-000003']);

    // a second till (or tab) replaying the same queue changes nothing on the server
    await reloaded.drain();
    expect(server.orders.size).toBe(3);
  });

  it('a lost answer is replayed under the same ids: no second order, no second payment', async () => {
    const server = new FakeServer();
    const outbox = new Outbox();
    const api = server.api();
    let dropNextAnswer = true;
    outbox.use({
      ...api,
      async mutate(document, variables) {
        const answer = await api.mutate(document, variables);
        if (document.includes('placeOrder') && dropNextAnswer) {
          dropNextAnswer = false;
          throw new OfflineError('the answer never arrived');
        }
        return answer as never;
      },
    });
    await outbox.drain();
    const first = await outbox.complete(sale('x'));
    expect(first.state).toBe('queued');
    await outbox.drain();
    expect(outbox.find(first.clientOrderId)).toMatchObject({ state: 'done', replayed: true });
    expect(server.orders.size).toBe(1);
    expect(server.payments.size).toBe(1);
  });

  it('waits for payments to learn of a just-placed order (ORDER_NOT_FOUND)', async () => {
    const server = new FakeServer();
    server.lag = 3;
    const outbox = new Outbox();
    outbox.use(server.api());
    const done = await outbox.complete(sale('lag'));
    expect(done.state).toBe('done');
    expect(server.calls.filter((c) => c.startsWith('pay'))).toHaveLength(4);
  });

  it('sets a sale taken offline whose price changed aside (PRICE_CHANGED), goes on with the next, and resends at the server price', async () => {
    const server = new FakeServer();
    server.online = false;
    const outbox = new Outbox();
    outbox.use(server.api());
    const stale = await outbox.complete(sale('stale', '10.00', true));
    const fine = await outbox.complete({
      ...sale('fine', '12.00', true),
      lines: [{ ...sale('').lines[0]!, variantId: 'v2', unitPrice: '12.00', total: '12.00' }],
    });
    server.listPrice.v1 = '11.00';
    server.online = true;
    await outbox.drain();
    expect(outbox.find(stale.clientOrderId)).toMatchObject({
      state: 'conflict',
      conflict: { stage: 'order', errors: [{ code: 'PRICE_CHANGED', message: 'price is now 11.00' }] },
    });
    expect(outbox.find(fine.clientOrderId)?.state).toBe('done');
    expect(server.payments.size).toBe(1);

    // the cashier sends it at the server's price and records the cash as it was taken
    const resent = await outbox.retry(outbox.find(stale.clientOrderId)!, (s) => {
      s.lines = s.lines.map((l) => ({ ...l, unitPrice: '' }));
      s.acceptTotal = true;
    });
    expect(resent).toMatchObject({ state: 'done', order: { total: { amount: '11.00' } } });
    expect(server.orders.size).toBe(2);
    expect((await (await database()).getAll('sales')).map((s) => s.state)).toEqual(['done', 'done']);
  });

  it('online, a server total that is not what the till showed stops the sale before any payment (TOTAL_CHANGED)', async () => {
    const server = new FakeServer();
    server.listPrice.v1 = '10.50';
    const outbox = new Outbox();
    outbox.use(server.api());
    const taken = await outbox.complete(sale('online'));
    expect(taken).toMatchObject({
      state: 'conflict',
      conflict: { stage: 'total', errors: [{ code: 'TOTAL_CHANGED' }] },
      order: { total: { amount: '10.50' } },
    });
    expect(server.payments.size).toBe(0);
    // re-tendered for the server's total: the same order, a new payment
    const paid = await outbox.retry(taken, (s) => {
      s.acceptTotal = true;
      s.payments = [{ idempotencyKey: uuidv7(), method: 'CASH', amount: '10.50', tendered: '20.00', state: 'pending' }];
    });
    expect(paid).toMatchObject({ state: 'done', payments: [{ state: 'done', change: '9.50' }] });
    expect(server.orders.size).toBe(1);
  });

  it('dismisses only a sale the server never placed', async () => {
    const server = new FakeServer();
    server.listPrice.v1 = '99.00';
    const outbox = new Outbox();
    outbox.use(server.api());
    const refused = await outbox.complete(sale('r', '10.00', true));
    expect(refused.state).toBe('conflict');
    await outbox.dismiss(refused);
    expect(outbox.sales).toHaveLength(0);
    server.listPrice = {};
    const placed = await outbox.complete(sale('p'));
    await expect(outbox.dismiss(placed)).rejects.toThrow(/never placed/);
  });
});

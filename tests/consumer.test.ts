import { customers } from '@comanda/customers';
import { appDatabaseUrl, createLogger, type EventEnvelope, openOrm, startConsumers } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, eventually, gql } from './support/client.ts';

const CREATED = 'comanda.customers.customer.created.v1';

async function createCustomer(name: string): Promise<string> {
  const res = await gql(`mutation($n: String!) { createCustomer(input: { kind: PERSON, name: $n }) { customer { id } userErrors { code } } }`, {
    n: name,
  });
  return res.data.createCustomer.customer.id;
}

describe('the embedded event transport', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openOrm('customers', customers.entities, appDatabaseUrl(databaseUrl(), 'customers'));
  });
  afterAll(async () => orm.close());

  function consume(name: string, handle: (event: EventEnvelope) => void | Promise<void>) {
    return startConsumers({
      subgraph: 'customers-test',
      orm,
      relayUrl: appDatabaseUrl(databaseUrl(), 'relay'),
      log: createLogger('test'),
      handlers: [{ name, types: [CREATED], handle: async (_em, event) => handle(event) }],
    });
  }

  it('delivers committed events in order with the CloudEvents envelope, and applies each once', async () => {
    const seen: EventEnvelope[] = [];
    const stop = await consume('order-check', (e) => void seen.push(e));
    const ids = [await createCustomer('Event One'), await createCustomer('Event Two'), await createCustomer('Event Three')];
    await eventually(async () => ids.every((id) => seen.some((e) => e.subject === id)));
    const mine = seen.filter((e) => ids.includes(e.subject));
    expect(mine.map((e) => e.subject)).toEqual(ids);
    expect(mine[0]).toMatchObject({ specversion: '1.0', source: 'customers', type: CREATED, tenantid: 'demo', sequence: 1 });
    await stop();

    // rewind the offset: the inbox makes the redelivery a no-op
    await adminQuery(`update events.consumer_offset set txid = '0', position = 0 where consumer = 'customers-test.order-check'`);
    const again: EventEnvelope[] = [];
    const stop2 = await consume('order-check', (e) => void again.push(e));
    await eventually(async () => {
      const [row] = await adminQuery(`select position from events.consumer_offset where consumer = 'customers-test.order-check'`);
      const [max] = await adminQuery(`select max(position) as p from customers.outbox where type = $1`, [CREATED]);
      return row.position === max.p;
    });
    await stop2();
    expect(again).toEqual([]);
  });

  it('parks an event whose handler keeps failing in the dead-letter table and moves on', async () => {
    const poison = await createCustomer('Poison Pill');
    const handled: string[] = [];
    const stop = await consume('poison-check', (e) => {
      if (e.subject === poison) throw new Error('cannot digest this one');
      handled.push(e.subject);
    });
    const after = await createCustomer('After The Poison');
    await eventually(async () => handled.includes(after), 20_000);
    await stop();
    const dead = await adminQuery(
      `select error from events.dead_letter where consumer = 'customers-test.poison-check' and event_id::text in (select id::text from customers.outbox where aggregate_id = $1)`,
      [poison],
    );
    expect(dead).toEqual([{ error: 'cannot digest this one' }]);
  });
});

import { customers } from '@comanda/customers';
import { EmbeddedTransport } from '@comanda/kafka';
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

const TOPIC = 'comanda.customers.customer.v1';

describe('the consumer runtime on the embedded transport', () => {
  let orm: MikroORM;
  let transport: EmbeddedTransport;
  beforeAll(async () => {
    orm = await openOrm('customers', customers.entities, appDatabaseUrl(databaseUrl(), 'customers'));
    transport = new EmbeddedTransport({ databaseUrl: appDatabaseUrl(databaseUrl(), 'relay'), pollMs: 100 });
  });
  afterAll(async () => {
    await transport.close();
    await orm.close();
  });

  function consume(name: string, handle: (event: EventEnvelope) => void | Promise<void>) {
    return startConsumers({
      subgraph: 'customers-test',
      orm,
      transport,
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

    // rewind the group: the inbox makes the redelivery a no-op
    await adminQuery(`update events.group_offset set txid = '0', position = 0 where group_id = 'comanda.customers-test.order-check'`);
    const again: EventEnvelope[] = [];
    const stop2 = await consume('order-check', (e) => void again.push(e));
    await eventually(async () => {
      const [row] = await adminQuery(`select position from events.group_offset where group_id = 'comanda.customers-test.order-check'`);
      const [max] = await adminQuery(`select max(position) as p from events.log where topic = $1`, [TOPIC]);
      return row.position === max.p;
    });
    await stop2();
    expect(again).toEqual([]);
  });

  it('sends an event whose handler keeps failing to the dead-letter topic with the error, and moves on', async () => {
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
      `select headers->>'dlq-error' as error, headers->>'dlq-topic' as topic, value::jsonb->>'subject' as subject
         from events.log where topic = $1 and headers->>'dlq-consumer' = 'customers-test.poison-check'`,
      [`${TOPIC}.dlq`],
    );
    expect(dead).toEqual([{ error: 'cannot digest this one', topic: TOPIC, subject: poison }]);
  });
});

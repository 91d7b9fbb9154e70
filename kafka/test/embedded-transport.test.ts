/**
 * The embedded transport (PostgreSQL as the log) against the test database, through the same
 * suite as Kafka, plus what only it has: one active member per group and topic.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { EmbeddedTransport } from '../src/embedded-transport.ts';
import type { InboundMessage } from '../src/transport.ts';
import { messageOn, sampleEvent, transportSuite } from './transport-suite.ts';

const databaseUrl = () => inject('databaseUrl');
const make = () => new EmbeddedTransport({ databaseUrl: databaseUrl(), pollMs: 50, redeliveryBackoff: { initialMs: 50, maxMs: 500 } });

async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

transportSuite('embedded', make, {
  partitioned: false,
  // the log has no topic objects: a topic exists once something is published to it
  createTopics: async () => {},
  deleteTopics: async (names) => {
    await admin('delete from events.log where topic = any($1)', [names]);
    await admin('delete from events.group_offset where topic = any($1)', [names]);
  },
});

describe('embedded transport specifics', () => {
  it('lets one member of a group consume a topic at a time; a standby takes over when it stops', async () => {
    const topic = `comanda.test.standby${Date.now()}.v1`;
    const [first, second] = [make(), make()];
    const seenBy: Record<string, string[]> = { first: [], second: [] };
    const member = (name: string) => async (message: InboundMessage) => void seenBy[name]!.push(message.key ?? '');
    const stopFirst = await first.subscribe({ groupId: 'standby', topics: [topic], fromBeginning: true, handle: member('first') });
    const stopSecond = await second.subscribe({ groupId: 'standby', topics: [topic], fromBeginning: true, handle: member('second') });
    await first.publish([messageOn(topic, sampleEvent('a', 1))]);
    await expect.poll(() => seenBy.first!.length + seenBy.second!.length, { timeout: 5_000 }).toBe(1);
    const active = seenBy.first!.length ? 'first' : 'second';
    await (active === 'first' ? stopFirst : stopSecond)();
    await first.publish([messageOn(topic, sampleEvent('b', 1))]);
    const standby = active === 'first' ? 'second' : 'first';
    await expect.poll(() => seenBy[standby]!.includes('b'), { timeout: 10_000 }).toBe(true);
    expect([...seenBy.first!, ...seenBy.second!].sort()).toEqual(['a', 'b']);
    await (active === 'first' ? stopSecond : stopFirst)();
    await first.close();
    await second.close();
  });
});

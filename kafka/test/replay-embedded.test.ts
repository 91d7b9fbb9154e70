/** The replay suite (replay-suite.ts) on the embedded log of the integration project's database. */
import { appDatabaseUrl } from '@comanda/kit';
import pg from 'pg';
import { inject } from 'vitest';
import { EmbeddedTransport } from '../src/embedded-transport.ts';
import { replaySuite } from './replay-suite.ts';

async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

replaySuite('embedded log', async () => {
  const adminUrl = inject('databaseUrl');
  const relayUrl = appDatabaseUrl(adminUrl, 'relay');
  return {
    adminUrl,
    // the relay's role is enough for the replay; the script below runs as the admin
    target: { kind: 'embedded', databaseUrl: relayUrl },
    transport: new EmbeddedTransport({ databaseUrl: relayUrl, pollMs: 50, redeliveryBackoff: { initialMs: 20, maxMs: 100 } }),
    // the log has no topic objects: a topic exists once something is published to it
    createTopics: async () => {},
    deleteTopics: async (names) => {
      await admin('delete from events.log where topic = any($1)', [names]);
      await admin('delete from events.group_offset where topic = any($1)', [names]);
    },
    lag: async (group, topic) => {
      const [row] = await admin<{ n: number }>(
        `select count(*)::int as n from events.log l
           left join events.group_offset o on o.group_id = $1 and o.topic = $2
          where l.topic = $2 and (o.group_id is null or (l.txid, l.position) > (o.txid, o.position))`,
        [group, topic],
      );
      return row!.n;
    },
    scriptEnv: { DATABASE_URL: adminUrl, KAFKA_BROKERS: '' },
  };
});

/** The replay suite (kafka/test/replay-suite.ts) on the Kafka broker of the `kafka` project. */
import { createTopics, KafkaTransport } from '@comanda/kafka';
import { inject } from 'vitest';
import { replaySuite } from '../../kafka/test/replay-suite.ts';
import { brokers, groupLag, silent, withAdmin } from './admin.ts';

replaySuite('kafka', async () => ({
  adminUrl: inject('databaseUrl'),
  target: { kind: 'kafka', brokers },
  transport: new KafkaTransport({ brokers, logger: silent, redeliveryBackoff: { initialMs: 50, maxMs: 200 } }),
  createTopics: async (topics) => {
    await createTopics(
      brokers,
      topics.map((topic) => ({ ...topic, retentionMs: 60 * 60 * 1000 })),
      { logger: silent },
    );
  },
  deleteTopics: (names) => withAdmin((admin) => admin.deleteTopics({ topics: names })),
  lag: groupLag,
  scriptEnv: { KAFKA_BROKERS: brokers.join(',') },
}));

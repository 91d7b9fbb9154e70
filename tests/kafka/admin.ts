/** Kafka admin look-ups the kafka-project tests assert with. */
import { brokersFromEnv } from '@comanda/kafka';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** The broker of the `kafka` project's stack (tests/support/global-setup.ts). */
export const brokers = brokersFromEnv({ KAFKA_BROKERS: process.env.KAFKA_BROKERS || '127.0.0.1:9092' });
export const silent = { error() {}, warn() {}, info() {}, debug() {} };

export async function withAdmin<T>(work: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'comanda-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Messages a topic holds, over all partitions. */
export const messagesOn = (topic: string): Promise<number> =>
  withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0));

/** Messages on `topic` that `group` has not committed yet. */
export const groupLag = (group: string, topic: string): Promise<number> =>
  withAdmin(async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.reduce((lag, { partition, low, high }) => {
      const offset = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      return lag + Number(high) - Math.max(offset, Number(low));
    }, 0);
  });

/**
 * Creates the topic catalog (kafka/src/topics.ts) on the brokers in KAFKA_BROKERS (default
 * 127.0.0.1:9092). Safe to run again: existing topics keep their data, drifted retention is set
 * back, and a partition count that differs is reported, not changed.
 *
 *   node kafka/scripts/create-topics.ts [--replication-factor N]
 */
import { parseArgs } from 'node:util';
import { brokersFromEnv, createTopics } from '../src/kafkajs-transport.ts';
import { TOPICS } from '../src/topics.ts';

const say = (line: string) => console.log(`[kafka:topics] ${line}`);

const { values } = parseArgs({ options: { 'replication-factor': { type: 'string' } } });
const replicationFactor = values['replication-factor'] === undefined ? undefined : Number(values['replication-factor']);
if (replicationFactor !== undefined && !(Number.isInteger(replicationFactor) && replicationFactor > 0)) {
  say('--replication-factor must be a positive integer');
  process.exit(2);
}

const brokers = brokersFromEnv();
try {
  say(`ensuring ${TOPICS.length} topics on ${brokers.join(',')}`);
  const result = await createTopics(brokers, TOPICS, { replicationFactor });
  for (const topic of result.created) say(`created ${topic}`);
  for (const topic of result.reconfigured) say(`reset the configuration of ${topic} to the catalog's`);
  for (const { topic, expected, actual } of result.partitionDrift) {
    say(`WARNING ${topic} has ${actual} partitions, the catalog says ${expected}; left as is (changing it reorders keys)`);
  }
  const untouched = TOPICS.length - result.created.length - result.reconfigured.length;
  say(`done: ${result.created.length} created, ${result.reconfigured.length} reconfigured, ${untouched} unchanged`);
} catch (error) {
  say(`failed: ${(error as Error).message}`);
  process.exitCode = 1;
}

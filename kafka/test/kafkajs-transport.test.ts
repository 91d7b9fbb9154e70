/**
 * The kafkajs transport against a real Apache Kafka broker: the one in KAFKA_BROKERS, or the
 * local broker of kafka/scripts/local-broker.ts, started here (--detach) when nothing answers.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeEvent } from '../src/envelope.ts';
import { brokersFromEnv, createTopics, KafkaTransport } from '../src/kafkajs-transport.ts';
import type { Stopper } from '../src/transport.ts';
import { ensureBroker } from './ensure-broker.ts';
import { messageOn, sampleEvent, transportSuite } from './transport-suite.ts';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
const brokers = brokersFromEnv();
const kcat = spawnSync('kcat', ['-V']).status === 0;
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const admin = () => new Kafka({ clientId: 'comanda-test', brokers, logLevel: logLevel.NOTHING }).admin();

async function deleteTopics(names: string[]): Promise<void> {
  const client = admin();
  await client.connect();
  try {
    await client.deleteTopics({ topics: names });
  } finally {
    await client.disconnect();
  }
}

beforeAll(ensureBroker, 300_000);

transportSuite('kafkajs', () => new KafkaTransport({ brokers, logger: silent, redeliveryBackoff: { initialMs: 100, maxMs: 2000 } }), {
  partitioned: true,
  createTopics: async (topics) => {
    await createTopics(
      brokers,
      topics.map((topic) => ({ ...topic, retentionMs: 60 * 60 * 1000 })),
      { logger: silent },
    );
  },
  deleteTopics,
});

describe('kafkajs transport, Kafka specifics', () => {
  const run = randomUUID().slice(0, 8);
  const created: string[] = [];
  const stoppers: Stopper[] = [];
  const transport = new KafkaTransport({ brokers, logger: silent });

  async function freshTopic(label: string, partitions = 1): Promise<string> {
    const name = `test.kafkajs.${run}.${label}`;
    await createTopics(brokers, [{ name, partitions, retentionMs: 60 * 60 * 1000 }], { logger: silent });
    created.push(name);
    return name;
  }

  afterAll(async () => {
    await Promise.all(stoppers.map((stop) => stop()));
    await transport.close();
    if (created.length) await deleteTopics(created);
  });

  it('reports an unreachable cluster as unhealthy, quickly', async () => {
    const nowhere = new KafkaTransport({ brokers: ['127.0.0.1:1'], logger: silent, healthTimeoutMs: 2000 });
    const started = Date.now();
    const health = await nowhere.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('127.0.0.1:1');
    expect(Date.now() - started).toBeLessThan(5000);
    await nowhere.close();
  });

  it('rejects a publish to a topic that does not exist: topics are never auto-created', async () => {
    const missing = `test.kafkajs.${run}.missing`;
    const impatient = new KafkaTransport({ brokers, logger: silent });
    await expect(impatient.publish([messageOn(missing, sampleEvent('order-missing', 1))])).rejects.toThrow();
    const client = admin();
    await client.connect();
    expect(await client.listTopics()).not.toContain(missing);
    await client.disconnect();
    await impatient.close();
  }, 60_000);

  it('wakes a subscription from a long redelivery backoff when it is stopped', async () => {
    const topic = await freshTopic('long-backoff');
    const patient = new KafkaTransport({ brokers, logger: silent, redeliveryBackoff: { initialMs: 30_000, maxMs: 30_000 } });
    await patient.publish([messageOn(topic, sampleEvent('order-backoff', 1))]);
    let attempts = 0;
    const stop = await patient.subscribe({
      groupId: `kafkajs-${run}-backoff`,
      topics: [topic],
      fromBeginning: true,
      handle: async () => {
        attempts++;
        throw new Error('not yet');
      },
    });
    await vi.waitFor(() => expect(attempts).toBe(1), { timeout: 15_000, interval: 50 });
    const started = Date.now();
    await stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    await patient.close();
  });

  it('creates topics idempotently, restores drifted retention and reports a partition count it will not change', async () => {
    const name = `test.kafkajs.${run}.catalog`;
    created.push(name);
    const spec = { name, partitions: 3, retentionMs: 7 * 24 * 60 * 60 * 1000 };
    expect(await createTopics(brokers, [spec], { logger: silent })).toEqual({ created: [name], reconfigured: [], partitionDrift: [] });
    expect(await createTopics(brokers, [spec], { logger: silent })).toEqual({ created: [], reconfigured: [], partitionDrift: [] });

    const client = admin();
    await client.connect();
    try {
      const [metadata] = (await client.fetchTopicMetadata({ topics: [name] })).topics;
      expect(metadata!.partitions).toHaveLength(3);
      await client.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
      });
      expect(await createTopics(brokers, [spec], { logger: silent })).toEqual({ created: [], reconfigured: [name], partitionDrift: [] });
      const described = await client.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] }],
      });
      expect(described.resources[0]!.configEntries[0]!.configValue).toBe(String(spec.retentionMs));
    } finally {
      await client.disconnect();
    }
    expect(await createTopics(brokers, [{ ...spec, partitions: 6 }], { logger: silent })).toEqual({
      created: [],
      reconfigured: [],
      partitionDrift: [{ topic: name, expected: 6, actual: 3 }],
    });
  });

  it.skipIf(!kcat)(
    kcat
      ? 'kcat consumes the topic and sees the envelope JSON, key and headers'
      : 'kcat check SKIPPED: kcat is not installed (apt-get install -y kcat)',
    async () => {
      const topic = await freshTopic('kcat', 2);
      const event = sampleEvent('order-kcat', 1);
      await transport.publish([messageOn(topic, event)]);
      const { stdout } = await promisify(execFile)(
        'kcat',
        ['-b', brokers.join(','), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', 'KEY=%k\\nHEADERS=%h\\nVALUE=%s\\n'],
        { timeout: 20_000 },
      );
      const line = (prefix: string) =>
        stdout
          .split('\n')
          .find((l) => l.startsWith(prefix))
          ?.slice(prefix.length);
      expect(line('KEY=')).toBe('order-kcat');
      expect(line('HEADERS=')).toContain(`traceparent=${event.traceparent}`);
      expect(decodeEvent({ value: line('VALUE=')! })).toEqual(event);
      expect(JSON.parse(line('VALUE=')!)).toMatchObject({ specversion: '1.0', id: event.id, subject: 'order-kcat', sequence: 1 });
    },
  );
});

/**
 * The Kafka transport, on kafkajs. Producer: acks=all, idempotent, one request in flight so a
 * retried request can never overtake the next one (per-key order survives broker hiccups).
 * Consumers: one kafkajs consumer per subscription, offsets committed by hand and only for
 * messages whose handler resolved.
 */
import kafkajs, { type EachBatchPayload, Kafka, type KafkaMessage, type LogEntry, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { TopicSpec } from './topics.ts';
import type { EventTransport, InboundMessage, OutboundMessage, Stopper, Subscription, TransportHealth } from './transport.ts';

// Node's CommonJS interop detects only some of kafkajs' exports as named ones
const { ConfigResourceTypes } = kafkajs;

/** The subset of a pino logger the transport writes to. */
export interface TransportLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface KafkaTransportOptions {
  /**
   * Prepended to every consumer group id: two deployments (or test runs) sharing one cluster
   * must not join each other's groups, or each would take half of the other's partitions.
   */
  groupPrefix?: string;
  brokers: string[];
  clientId?: string;
  /** kafkajs' own logs go here; without it they go to the console, warnings and errors only */
  logger?: TransportLogger;
  /** wait before redelivering to a handler that rejected: doubles from `initialMs` up to `maxMs` */
  redeliveryBackoff?: { initialMs: number; maxMs: number };
  /** how long `health()` may take */
  healthTimeoutMs?: number;
  /** how long `subscribe()` waits for the group to assign partitions */
  joinTimeoutMs?: number;
}

export const DEFAULT_BROKERS = ['127.0.0.1:9092'];

/** `KAFKA_BROKERS=host1:9092,host2:9092`; the local broker (kafka/scripts/local-broker.ts) otherwise. */
export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  return listed.length ? listed : DEFAULT_BROKERS;
}

function logCreatorFor(logger: TransportLogger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const entry = { component: 'kafkajs', namespace, ...rest };
      if (level === logLevel.ERROR) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else if (level === logLevel.INFO) logger.info(entry, message);
      else logger.debug(entry, message);
    };
}

const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    // kafkajs gives an array when a header name repeats; the last one wins, as in most clients
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) headers[name] = last.toString();
  }
  return headers;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class KafkaTransport implements EventTransport {
  private readonly kafka: Kafka;
  /** a separate client that fails fast: health checks report, they do not retry */
  private readonly probe: Kafka;
  private readonly options: Required<Omit<KafkaTransportOptions, 'logger' | 'clientId'>> & Pick<KafkaTransportOptions, 'logger'>;
  private producer: Promise<Producer> | null = null;
  private readonly stoppers = new Set<Stopper>();
  private closed = false;

  constructor(options: KafkaTransportOptions) {
    const clientId = options.clientId ?? 'comanda';
    const logging = options.logger ? { logLevel: logLevel.INFO, logCreator: logCreatorFor(options.logger) } : { logLevel: logLevel.WARN };
    this.kafka = new Kafka({ clientId, brokers: options.brokers, ...logging });
    this.probe = new Kafka({
      clientId: `${clientId}-health`,
      brokers: options.brokers,
      connectionTimeout: 1000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    this.options = {
      brokers: options.brokers,
      logger: options.logger,
      redeliveryBackoff: options.redeliveryBackoff ?? { initialMs: 200, maxMs: 30_000 },
      healthTimeoutMs: options.healthTimeoutMs ?? 3000,
      joinTimeoutMs: options.joinTimeoutMs ?? 60_000,
      groupPrefix: options.groupPrefix ?? '',
    };
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producer = producer.connect().then(
        () => producer,
        (error: unknown) => {
          this.producer = null;
          throw error;
        },
      );
    }
    return this.producer;
  }

  async publish(batch: OutboundMessage[]): Promise<void> {
    if (this.closed) throw new Error('transport is closed');
    if (!batch.length) return;
    const byTopic = new Map<string, { key: string; value: string; headers?: Record<string, string> }[]>();
    for (const { topic, key, value, headers } of batch) {
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key, value, headers });
      byTopic.set(topic, messages);
    }
    const producer = await this.connectedProducer();
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async subscribe(subscription: Subscription): Promise<Stopper> {
    if (this.closed) throw new Error('transport is closed');
    const { topics, fromBeginning, handle } = subscription;
    const groupId = `${this.options.groupPrefix}${subscription.groupId}`;

    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    let stopping = false;
    const sleepers = new Set<() => void>();
    const log = this.options.logger;
    const backoff = this.options.redeliveryBackoff;

    /** Waits, heartbeating; false when the batch must be abandoned (stopping or rebalanced). */
    const pause = async (ms: number, { heartbeat, isRunning, isStale }: EachBatchPayload): Promise<boolean> => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (stopping || !isRunning() || isStale()) return false;
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(1000, until - Date.now()));
          sleepers.add(wake);
        });
        try {
          await heartbeat();
        } catch {
          // a rebalance: kafkajs rejoins, and the unresolved message is delivered again
          return false;
        }
      }
      return !(stopping || !isRunning() || isStale());
    };

    const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
      const { batch, resolveOffset, isRunning, isStale } = payload;
      let done: string | null = null;
      let sinceCommit = 0;
      const commit = async () => {
        if (done === null || !sinceCommit) return;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(done) }]);
        sinceCommit = 0;
      };
      try {
        for (const message of batch.messages) {
          if (stopping || !isRunning() || isStale()) return;
          const base = {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? '',
            headers: headersOf(message),
            timestamp: new Date(Number(message.timestamp)).toISOString(),
          };
          for (let attempt = 1; ; attempt++) {
            try {
              await handle({ ...base, attempt } satisfies InboundMessage);
              break;
            } catch (error) {
              const waitMs = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
              log?.warn(
                { err: error, groupId, topic: base.topic, partition: base.partition, offset: base.offset, attempt, waitMs },
                'handler failed; redelivering',
              );
              // what was handled before the failing message must not come again after a restart
              await commit();
              if (!(await pause(waitMs, payload))) return;
            }
          }
          resolveOffset(message.offset);
          done = message.offset;
          if (++sinceCommit >= 100) await commit();
          // kafkajs heartbeats only between batches otherwise: a long batch would cost the membership
          await payload.heartbeat();
        }
      } finally {
        if (!isStale()) await commit();
      }
    };

    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning });
      // Positioned means: partitions assigned (GROUP_JOIN), then one fetch done, because kafkajs
      // resolves every assigned partition's start (committed, earliest or latest) in its first
      // fetch; "latest" resolved any later would skip what was published after we returned.
      const positioned = new Promise<void>((resolve, reject) => {
        let joined = false;
        const offs = [
          consumer.on(consumer.events.GROUP_JOIN, () => {
            joined = true;
          }),
          consumer.on(consumer.events.FETCH, () => {
            if (!joined) return;
            for (const off of offs) off();
            resolve();
          }),
          consumer.on(consumer.events.CRASH, (event) => {
            // retriable (the coordinator still loading after a broker start): kafkajs restarts
            if (event.payload.restart) return;
            for (const off of offs) off();
            reject(event.payload.error);
          }),
        ];
      });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
      await withTimeout(positioned, this.options.joinTimeoutMs, `joining consumer group ${groupId}`);
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    consumer.on(consumer.events.CRASH, (event) =>
      log?.error({ err: event.payload.error, groupId, restart: event.payload.restart }, 'consumer crashed'),
    );

    let stopped: Promise<void> | null = null;
    const stop: Stopper = () => {
      stopped ??= (async () => {
        stopping = true;
        for (const wake of sleepers) wake();
        this.stoppers.delete(stop);
        await consumer.disconnect();
      })();
      return stopped;
    };
    this.stoppers.add(stop);
    return stop;
  }

  async health(): Promise<TransportHealth> {
    const admin = this.probe.admin();
    try {
      const cluster = await withTimeout(
        admin.connect().then(() => admin.describeCluster()),
        this.options.healthTimeoutMs,
        'describeCluster',
      );
      const brokers = cluster.brokers.map((broker) => `${broker.host}:${broker.port}`).join(', ');
      return {
        ok: cluster.brokers.length > 0,
        detail: `cluster ${cluster.clusterId}: ${cluster.brokers.length} broker(s) (${brokers}), controller ${cluster.controller}`,
      };
    } catch (error) {
      return { ok: false, detail: `kafka at ${this.options.brokers.join(',')} unreachable: ${(error as Error).message}` };
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.stoppers].map((stop) => stop()));
    const producer = await this.producer?.catch(() => null);
    await producer?.disconnect();
  }
}

export interface CreateTopicsResult {
  created: string[];
  /** existing topics whose retention or durability settings were brought back to the catalog's */
  reconfigured: string[];
  /** existing topics whose partition count differs: reported, never changed (it would reorder keys) */
  partitionDrift: { topic: string; expected: number; actual: number }[];
}

/**
 * Creates the catalog's topics, idempotently. Replication factor 3 (at most the brokers there
 * are) with min.insync.replicas 2 (at most the replication factor), so with acks=all an
 * acknowledged event survives losing a broker.
 */
export async function createTopics(
  brokers: string[],
  topics: readonly TopicSpec[],
  options: { replicationFactor?: number; logger?: TransportLogger } = {},
): Promise<CreateTopicsResult> {
  const kafka = new Kafka({
    clientId: 'comanda-topics',
    brokers,
    logLevel: logLevel.WARN,
    ...(options.logger ? { logCreator: logCreatorFor(options.logger) } : {}),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const replicationFactor = options.replicationFactor ?? Math.min(3, cluster.brokers.length);
    const configOf = (spec: TopicSpec) => [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(spec.retentionMs) },
      { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
    ];
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((spec) => !existing.has(spec.name));
    const result: CreateTopicsResult = { created: [], reconfigured: [], partitionDrift: [] };
    if (missing.length) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions, replicationFactor, configEntries: configOf(spec) })),
        });
      } catch (error) {
        // a concurrent run may have created some of them: fine as long as they all exist now
        const now = new Set(await admin.listTopics());
        if (missing.some((spec) => !now.has(spec.name))) throw error;
      }
      result.created = missing.map((spec) => spec.name);
    }

    const present = topics.filter((spec) => existing.has(spec.name));
    if (present.length) {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((spec) => ({
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configNames: configOf(spec).map((entry) => entry.name),
        })),
      });
      for (const spec of present) {
        const actual = metadata.find((topic) => topic.name === spec.name)?.partitions.length ?? 0;
        if (actual !== spec.partitions) result.partitionDrift.push({ topic: spec.name, expected: spec.partitions, actual });
        const entries = described.resources.find((resource) => resource.resourceName === spec.name)?.configEntries ?? [];
        const wanted = configOf(spec);
        if (wanted.some((want) => entries.find((entry) => entry.configName === want.name)?.configValue !== want.value)) {
          await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name, configEntries: wanted }] });
          result.reconfigured.push(spec.name);
        }
      }
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

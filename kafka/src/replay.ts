/**
 * Re-driving events (`npm run events:replay`, kafka/scripts/replay.ts; docs/events-operations.md):
 *   rewind   move a consumer group's position on a topic back, so its consumers read again from
 *            an offset or a time; their inboxes turn what they already applied into no-ops
 *   dlq      republish a dead-letter topic's messages (optionally one consumer's) to the topic
 *            they failed on, without the dlq-* headers, once the consumer is fixed
 * on either transport: Kafka (KAFKA_BROKERS) or the embedded log (DATABASE_URL).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { EmbeddedTransport } from './embedded-transport.ts';
import { brokersFromEnv, KafkaTransport } from './kafkajs-transport.ts';
import type { EventTransport, OutboundMessage } from './transport.ts';

/** Bad arguments or environment: the script prints the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The replay cannot be done as asked (active group, unknown topic or group): exit 1. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}

export const REPLAY_USAGE = `Usage:
  npm run events:replay -- --topic TOPIC --group GROUP (--from-offset N | --from-time ISO) [--partition P] [--dry-run]
      move consumer group GROUP back on TOPIC to the first message at or after offset N (per
      partition; --partition picks one) or time ISO; the group's consumers must be stopped
  npm run events:replay -- --dlq TOPIC.dlq [--consumer NAME] [--from-offset N | --from-time ISO] [--partition P] [--dry-run]
      republish the dead letters (only consumer NAME's, e.g. payments.order-account) to the topic
      they failed on, without their dlq-* headers

Transport: Kafka when KAFKA_BROKERS is set, otherwise the embedded log in DATABASE_URL (a role
with rights on the events schema: the cluster admin or comanda_relay).`;

/** Where to start: an offset (Kafka: per partition; embedded: the log position) or a time. */
export type ReplayStart = { offset: bigint } | { time: Date };

export type ReplayCommand =
  | { kind: 'help' }
  | { kind: 'rewind'; topic: string; group: string; from: ReplayStart; partition?: number; dryRun: boolean }
  | { kind: 'dlq'; dlqTopic: string; consumer?: string; from?: ReplayStart; partition?: number; dryRun: boolean };

const DLQ_SUFFIX = '.dlq';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseReplayArgs(argv: string[]): ReplayCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        topic: { type: 'string' },
        group: { type: 'string' },
        dlq: { type: 'string' },
        consumer: { type: 'string' },
        'from-offset': { type: 'string' },
        'from-time': { type: 'string' },
        partition: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const text = (name: string) => {
    const value = values[name] as string | undefined;
    if (value !== undefined && !value.trim()) throw new UsageError(`--${name} must not be empty`);
    return value?.trim();
  };
  const [topic, group, dlq, consumer] = [text('topic'), text('group'), text('dlq'), text('consumer')];
  const [fromOffset, fromTime, partitionArg] = [text('from-offset'), text('from-time'), text('partition')];
  const dryRun = values['dry-run'] === true;

  if (fromOffset !== undefined && fromTime !== undefined) throw new UsageError('give --from-offset or --from-time, not both');
  if (fromOffset !== undefined && !/^\d+$/.test(fromOffset)) throw new UsageError(`--from-offset must be a whole number >= 0, got ${fromOffset}`);
  if (fromTime !== undefined && !(ISO_TIME.test(fromTime) && Number.isFinite(Date.parse(fromTime)))) {
    throw new UsageError(`--from-time must be an ISO 8601 time such as 2025-03-01T08:00:00Z, got ${fromTime}`);
  }
  if (partitionArg !== undefined && !/^\d+$/.test(partitionArg)) throw new UsageError(`--partition must be a whole number >= 0, got ${partitionArg}`);
  const from: ReplayStart | undefined =
    fromOffset !== undefined ? { offset: BigInt(fromOffset) } : fromTime !== undefined ? { time: new Date(fromTime) } : undefined;
  const partition = partitionArg === undefined ? undefined : Number(partitionArg);

  if (topic !== undefined && dlq !== undefined) throw new UsageError('give --topic (rewind a group) or --dlq (republish dead letters), not both');
  if (topic !== undefined) {
    if (group === undefined) throw new UsageError('--topic needs --group: the consumer group to move back');
    if (!from) throw new UsageError('--topic needs --from-offset N or --from-time ISO: where the group reads again from');
    if (consumer !== undefined) throw new UsageError('--consumer goes with --dlq; a rewind names its --group');
    if (topic.endsWith(DLQ_SUFFIX)) throw new UsageError(`${topic} is a dead-letter topic: republish it with --dlq ${topic}`);
    return { kind: 'rewind', topic, group, from, partition, dryRun };
  }
  if (dlq !== undefined) {
    if (!dlq.endsWith(DLQ_SUFFIX) || dlq.length === DLQ_SUFFIX.length)
      throw new UsageError(`--dlq takes a dead-letter topic (<topic>.dlq), got ${dlq}`);
    if (group !== undefined) throw new UsageError('--group goes with --topic; to pick dead letters by consumer use --consumer');
    return { kind: 'dlq', dlqTopic: dlq, consumer, from, partition, dryRun };
  }
  throw new UsageError('give --topic TOPIC --group GROUP (rewind) or --dlq TOPIC.dlq (republish dead letters)');
}

export type ReplayTarget = { kind: 'kafka'; brokers: string[] } | { kind: 'embedded'; databaseUrl: string };

export function replayTargetFromEnv(env: NodeJS.ProcessEnv = process.env): ReplayTarget {
  if (env.KAFKA_BROKERS?.trim()) return { kind: 'kafka', brokers: brokersFromEnv(env) };
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl) throw new UsageError('set KAFKA_BROKERS (Kafka) or DATABASE_URL (the embedded log on PostgreSQL)');
  return { kind: 'embedded', databaseUrl };
}

const describeTarget = (target: ReplayTarget) =>
  target.kind === 'kafka' ? `kafka at ${target.brokers.join(',')}` : `the embedded log at ${new URL(target.databaseUrl).host}`;

export type Say = (line: string) => void;

// ---------------------------------------------------------------------------------------------
// rewind

/** One partition's decision. Offsets are "the next message the group reads". */
export interface PartitionRewind {
  partition: number;
  /** null: the group never committed on this partition (it starts from its reset policy) */
  committed: bigint | null;
  /** the first message at or after the start, or the partition's end when there is none */
  target: bigint;
  rewind: boolean;
}

/** Only ever back: a group that has not reached the start yet reads from there anyway. */
export function planRewind(partition: number, committed: bigint | null, target: bigint): PartitionRewind {
  return { partition, committed, target, rewind: committed !== null && target < committed };
}

export interface RewindResult {
  partitions: PartitionRewind[];
  /** messages the group reads again, summed over the partitions moved */
  again: bigint;
}

export async function rewindGroup(target: ReplayTarget, command: Extract<ReplayCommand, { kind: 'rewind' }>, say: Say): Promise<RewindResult> {
  say(`${describeTarget(target)}: consumer group ${command.group} on ${command.topic}${command.dryRun ? ' (dry run)' : ''}`);
  const result = target.kind === 'kafka' ? await rewindKafka(target.brokers, command, say) : await rewindEmbedded(target.databaseUrl, command, say);
  const moved = result.partitions.filter((p) => p.rewind).length;
  const verb = command.dryRun ? 'would move' : 'moved';
  say(
    moved
      ? `done: ${verb} ${moved} partition(s) back, ${result.again} message(s) to read again; start the group's consumers: they read from there and their inboxes skip what they already applied`
      : 'done: nothing to move back (the group has not reached that point yet)',
  );
  return result;
}

function quietKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'comanda-replay', brokers, logLevel: logLevel.NOTHING });
}

async function partitionOffsets(admin: Admin, topic: string, partition: number | undefined) {
  // kafkajs retries an unknown topic for seconds before it says so
  if (!(await admin.listTopics()).includes(topic)) throw new ReplayError(`topic ${topic} does not exist`);
  const offsets = await admin.fetchTopicOffsets(topic);
  const chosen = offsets.filter((o) => partition === undefined || o.partition === partition).sort((a, b) => a.partition - b.partition);
  if (!chosen.length) throw new ReplayError(`${topic} has no partition ${partition} (it has ${offsets.length})`);
  return chosen.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
}

/** Per partition, the first offset at or after `from`, within what the partition still holds. */
async function startOffsets(
  admin: Admin,
  topic: string,
  partitions: { partition: number; low: bigint; high: bigint }[],
  from: ReplayStart | undefined,
) {
  const byTime = from && 'time' in from ? await admin.fetchTopicOffsetsByTimestamp(topic, from.time.getTime()) : [];
  return new Map(
    partitions.map(({ partition, low, high }) => {
      let start = low;
      if (from && 'offset' in from) start = from.offset;
      // kafkajs answers the high watermark for a partition with nothing at or after the time
      else if (from) start = BigInt(byTime.find((o) => o.partition === partition)?.offset ?? high);
      return [partition, start < low ? low : start > high ? high : start];
    }),
  );
}

async function rewindKafka(brokers: string[], command: Extract<ReplayCommand, { kind: 'rewind' }>, say: Say): Promise<RewindResult> {
  const admin = quietKafka(brokers).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([command.group]);
    const group = groups.find((g) => g.groupId === command.group);
    // Kafka takes offsets only from a group without members: a live member would overwrite them
    if (group && !['Empty', 'Dead'].includes(group.state)) {
      const members = group.members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');
      throw new ReplayError(
        `consumer group ${command.group} is active (state ${group.state}, ${group.members.length} member(s): ${members}); ` +
          'stop its consumers (the service that runs them) and run this again',
      );
    }
    const partitions = await partitionOffsets(admin, command.topic, command.partition);
    const [fetched] = await admin.fetchOffsets({ groupId: command.group, topics: [command.topic] });
    const committed = new Map((fetched?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset) >= 0n ? BigInt(p.offset) : null]));
    if (partitions.every((p) => (committed.get(p.partition) ?? null) === null)) {
      throw new ReplayError(
        `consumer group ${command.group} has no committed offset on ${command.topic}: check the name (comanda.<subgraph>.<handler>)`,
      );
    }
    const starts = await startOffsets(admin, command.topic, partitions, command.from);
    const plans = partitions.map((p) => planRewind(p.partition, committed.get(p.partition) ?? null, starts.get(p.partition)!));
    let again = 0n;
    for (const plan of plans) {
      if (plan.committed === null)
        say(
          `  partition ${plan.partition}: no committed offset (the group starts it by its reset policy, from the beginning for Comanda's reactions): left as is`,
        );
      else if (!plan.rewind) say(`  partition ${plan.partition}: committed ${plan.committed}, not past ${plan.target} yet: left as is`);
      else {
        again += plan.committed - plan.target;
        say(`  partition ${plan.partition}: committed ${plan.committed} -> ${plan.target} (${plan.committed - plan.target} message(s) again)`);
      }
    }
    const moves = plans.filter((p) => p.rewind);
    if (moves.length && !command.dryRun) {
      await admin.setOffsets({
        groupId: command.group,
        topic: command.topic,
        partitions: moves.map((p) => ({ partition: p.partition, offset: p.target.toString() })),
      });
    }
    return { partitions: plans, again };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The embedded log has one partition per topic; a group's position is the (txid, position) of
 * the last message it handled, and it reads in that order. Moving it to just before the first
 * message at or after the start re-reads that message and everything after it.
 */
async function rewindEmbedded(databaseUrl: string, command: Extract<ReplayCommand, { kind: 'rewind' }>, say: Say): Promise<RewindResult> {
  if (command.partition !== undefined && command.partition !== 0) throw new ReplayError('the embedded log has one partition per topic: 0');
  return withClient(databaseUrl, async (client) => {
    // the lock the embedded transport's active member holds (embedded-transport.ts): while we
    // hold it no member reads, and a member that is reading would overwrite the position
    const lockKey = `comanda-group:${command.group}:${command.topic}`;
    const { rows: locked } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [lockKey]);
    if (!locked[0]?.ok) {
      throw new ReplayError(
        `consumer group ${command.group} is consuming ${command.topic} right now; stop its consumers (the service that runs them) and run this again`,
      );
    }
    try {
      const { rows: positions } = await client.query<{ txid: string; position: string }>(
        'select txid::text as txid, position::text as position from events.group_offset where group_id = $1 and topic = $2',
        [command.group, command.topic],
      );
      const current = positions[0];
      if (!current) {
        const { rows: known } = await client.query<{ group_id: string }>(
          'select group_id from events.group_offset where topic = $1 order by group_id',
          [command.topic],
        );
        throw new ReplayError(
          `consumer group ${command.group} has no position on ${command.topic}; groups on it: ${known.map((g) => g.group_id).join(', ') || 'none'}`,
        );
      }
      const condition = 'offset' in command.from ? 'position >= $2::bigint' : 'published_at >= $2::timestamptz';
      const { rows: firsts } = await client.query<{ txid: string; position: string }>(
        `select txid::text as txid, position::text as position from events.log where topic = $1 and ${condition} order by txid, position limit 1`,
        [command.topic, 'offset' in command.from ? command.from.offset.toString() : command.from.time.toISOString()],
      );
      const first = firsts[0];
      // the group's next message and the first to read again, compared in the log's read order
      const { rows: compared } = await client.query<{ behind: boolean; again: string }>(
        `select ($3::xid8, $4::bigint) <= ($1::xid8, $2::bigint) as behind,
                (select count(*) from events.log where topic = $5 and (txid, position) >= ($3::xid8, $4::bigint) and (txid, position) <= ($1::xid8, $2::bigint))::text as again`,
        [current.txid, current.position, first?.txid ?? current.txid, first?.position ?? current.position, command.topic],
      );
      const committed = BigInt(current.position);
      if (!first || !compared[0]?.behind) {
        say(`  partition 0: read up to position ${committed}, not past ${first ? `position ${first.position}` : 'the start'} yet: left as is`);
        return { partitions: [{ partition: 0, committed, target: first ? BigInt(first.position) : committed, rewind: false }], again: 0n };
      }
      const again = BigInt(compared[0].again);
      say(`  partition 0: read up to position ${committed} -> reads again from position ${first.position} (${again} message(s) again)`);
      if (!command.dryRun) {
        await client.query(
          'update events.group_offset set txid = $3::xid8, position = $4::bigint - 1, updated_at = now() where group_id = $1 and topic = $2',
          [command.group, command.topic, first.txid, first.position],
        );
      }
      return { partitions: [{ partition: 0, committed, target: BigInt(first.position), rewind: true }], again };
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// dead letters

/** A message read from a dead-letter topic. */
export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export type DeadLetterRoute = { republish: OutboundMessage } | { skip: string };

/** Where a dead letter goes back to: the topic it failed on, as it was before it failed. */
export function routeDeadLetter(letter: DeadLetter, consumer?: string): DeadLetterRoute {
  const topic = letter.headers['dlq-topic'];
  if (!topic) return { skip: 'no dlq-topic header: not a dead letter of the consumer runtime' };
  const failedIn = letter.headers['dlq-consumer'];
  if (consumer !== undefined && failedIn !== consumer) return { skip: `failed in ${failedIn ?? 'an unnamed consumer'}` };
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq-')));
  return { republish: { topic, key: letter.key ?? '', value: letter.value, headers } };
}

const oneLine = (text: string, max = 200) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function describeDeadLetter(letter: DeadLetter): string {
  const h = letter.headers;
  return [
    `${letter.partition}:${letter.offset}`,
    h.ce_type ?? '(no ce_type)',
    `id=${h.ce_id ?? '?'}`,
    `key=${letter.key ?? ''}`,
    `consumer=${h['dlq-consumer'] ?? '?'}`,
    `failed ${h['dlq-failed-at'] ?? '?'}: ${oneLine(h['dlq-error'] ?? '?')}`,
  ].join(' ');
}

export interface DeadLetterResult {
  read: number;
  republished: number;
  skipped: number;
  /** per partition, the offset after the last dead letter read: where a later run can start */
  next: Record<number, string>;
}

type ReadDeadLetters = (onBatch: (letters: DeadLetter[]) => Promise<void>) => Promise<void>;

export async function replayDeadLetters(target: ReplayTarget, command: Extract<ReplayCommand, { kind: 'dlq' }>, say: Say): Promise<DeadLetterResult> {
  const scope = command.consumer ? `, consumer ${command.consumer} only` : '';
  say(`${describeTarget(target)}: dead letters of ${command.dlqTopic}${scope}${command.dryRun ? ' (dry run: nothing is published)' : ''}`);
  const read: ReadDeadLetters =
    target.kind === 'kafka'
      ? (onBatch) => readKafkaDeadLetters(target.brokers, command, say, onBatch)
      : (onBatch) => readEmbeddedDeadLetters(target.databaseUrl, command, say, onBatch);
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const transport: EventTransport | null = command.dryRun
    ? null
    : target.kind === 'kafka'
      ? new KafkaTransport({ brokers: target.brokers, clientId: 'comanda-replay', logger: silent })
      : new EmbeddedTransport({ databaseUrl: target.databaseUrl });
  const result: DeadLetterResult = { read: 0, republished: 0, skipped: 0, next: {} };
  try {
    await read(async (letters) => {
      const routed = letters.map((letter) => ({ letter, route: routeDeadLetter(letter, command.consumer) }));
      const outbound = routed.flatMap(({ route }) => ('republish' in route ? [route.republish] : []));
      // published before it is reported: a line saying "republished" is true
      if (transport && outbound.length) await transport.publish(outbound);
      for (const { letter, route } of routed) {
        result.read++;
        result.next[letter.partition] = (BigInt(letter.offset) + 1n).toString();
        if ('skip' in route) {
          result.skipped++;
          say(`skip ${letter.partition}:${letter.offset} (${route.skip})`);
        } else {
          result.republished++;
          say(`${command.dryRun ? 'would republish' : 'republished'} ${describeDeadLetter(letter)} -> ${route.republish.topic}`);
        }
      }
    });
  } finally {
    await transport?.close();
  }
  const resume = Object.entries(result.next)
    .map(([partition, offset]) => `partition ${partition} --from-offset ${offset}`)
    .join(', ');
  say(
    `done: ${result.read} dead letter(s) read, ${result.republished} ${command.dryRun ? 'to republish' : 'republished'}, ${result.skipped} skipped` +
      (resume ? `; later dead letters start at ${resume}` : ''),
  );
  return result;
}

/** How long a Kafka read may go without a batch before it gives up. */
const STALL_MS = 60_000;

/**
 * Reads the dead-letter topic up to where it ended when the replay started: republished events
 * that fail again land after that point and are not read again in the same run. A throwaway
 * consumer group reads it (kafkajs consumes only through a group), deleted afterwards.
 */
async function readKafkaDeadLetters(
  brokers: string[],
  command: Extract<ReplayCommand, { kind: 'dlq' }>,
  say: Say,
  onBatch: (letters: DeadLetter[]) => Promise<void>,
): Promise<void> {
  const kafka = quietKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `comanda.replay.${randomUUID()}`;
  let consumer: Consumer | null = null;
  try {
    const partitions = await partitionOffsets(admin, command.dlqTopic, command.partition);
    const starts = await startOffsets(admin, command.dlqTopic, partitions, command.from);
    /** per partition: the next offset to hand on, and where the topic ended when we started */
    const pending = new Map<number, { next: bigint; end: bigint }>();
    for (const { partition, high } of partitions) {
      const start = starts.get(partition)!;
      if (start < high) pending.set(partition, { next: start, end: high });
    }
    const ranges = [...pending].map(([partition, { next, end }]) => `partition ${partition} offsets ${next}..${end - 1n}`).join(', ');
    say(ranges ? `reading ${ranges}` : `nothing to read on ${command.dlqTopic}${command.from ? ' from there' : ''}`);
    if (!pending.size) return;

    const reader = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    consumer = reader;
    await reader.connect();
    await reader.subscribe({ topics: [command.dlqTopic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      let stall: NodeJS.Timeout;
      const fail = (error: unknown) => {
        failed = true;
        clearTimeout(stall);
        reject(error);
      };
      const watch = () => {
        clearTimeout(stall);
        stall = setTimeout(() => fail(new ReplayError(`no dead letters arrived from ${command.dlqTopic} for ${STALL_MS / 1000} s`)), STALL_MS);
      };
      watch();
      reader.on(reader.events.CRASH, (event) => {
        if (!event.payload.restart) fail(event.payload.error);
      });
      const eachBatch = async ({ batch }: EachBatchPayload) => {
        const range = pending.get(batch.partition);
        if (failed || !range) return;
        watch();
        // a batch fetched before the seek below took effect starts too early, one after it may repeat
        const letters = batch.messages
          .filter((m) => BigInt(m.offset) >= range.next && BigInt(m.offset) < range.end)
          .map((m) => ({
            partition: batch.partition,
            offset: m.offset,
            key: m.key?.toString() ?? null,
            value: m.value?.toString() ?? '',
            headers: Object.fromEntries(
              Object.entries(m.headers ?? {}).flatMap(([name, value]) => {
                const last = Array.isArray(value) ? value.at(-1) : value;
                return last === undefined ? [] : [[name, last.toString()]];
              }),
            ),
          }));
        try {
          if (letters.length) await onBatch(letters);
        } catch (error) {
          fail(error);
          return;
        }
        const after = BigInt(batch.lastOffset()) + 1n;
        if (after > range.next) range.next = after;
        if (range.next >= range.end) {
          pending.delete(batch.partition);
          if (!pending.size) {
            clearTimeout(stall);
            resolve();
          }
        }
      };
      reader.run({ autoCommit: false, eachBatch }).then(() => {
        for (const [partition, { next }] of pending) reader.seek({ topic: command.dlqTopic, partition, offset: next.toString() });
      }, fail);
    });
  } finally {
    await consumer?.disconnect().catch(() => {});
    if (consumer) await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

const PAGE = 500;

async function readEmbeddedDeadLetters(
  databaseUrl: string,
  command: Extract<ReplayCommand, { kind: 'dlq' }>,
  say: Say,
  onBatch: (letters: DeadLetter[]) => Promise<void>,
): Promise<void> {
  if (command.partition !== undefined && command.partition !== 0) throw new ReplayError('the embedded log has one partition per topic: 0');
  await withClient(databaseUrl, async (client) => {
    // what the topic holds now: dead letters of events that fail again come after it
    const { rows: ends } = await client.query<{ last: string | null }>('select max(position)::text as last from events.log where topic = $1', [
      command.dlqTopic,
    ]);
    const last = ends[0]?.last;
    let after = command.from && 'offset' in command.from ? command.from.offset - 1n : 0n;
    if (!last || BigInt(last) <= after) {
      say(`nothing to read on ${command.dlqTopic}${command.from ? ' from there' : ''}`);
      return;
    }
    say(`reading partition 0 positions ${after + 1n}..${last}`);
    const since = command.from && 'time' in command.from ? command.from.time.toISOString() : null;
    for (;;) {
      const { rows } = await client.query<{ position: string; key: string | null; value: string; headers: Record<string, string> }>(
        `select position::text as position, key, value, headers from events.log
          where topic = $1 and position > $2::bigint and position <= $3::bigint and ($4::timestamptz is null or published_at >= $4::timestamptz)
          order by position limit ${PAGE}`,
        [command.dlqTopic, after.toString(), last, since],
      );
      if (!rows.length) return;
      await onBatch(rows.map((row) => ({ partition: 0, offset: row.position, key: row.key, value: row.value, headers: row.headers })));
      after = BigInt(rows.at(-1)!.position);
      if (rows.length < PAGE) return;
    }
  });
}

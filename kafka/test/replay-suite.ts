/**
 * Poison event -> dead-letter topic -> fix -> `events:replay --dlq`, and rewinding a consumer
 * group, against a real transport: kafka/test/replay-embedded.test.ts runs it on the embedded
 * log (integration project), tests/kafka/dead-letter-replay.test.ts on a Kafka broker (kafka
 * project). The consumers are kit's startConsumers on a scratch subgraph, so the dead-lettering
 * and the inbox under test are the ones the subgraphs run.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLogger, type EventHandler, MAX_ATTEMPTS, startConsumers } from '@comanda/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudEvent, decodeEvent, encodeEvent } from '../src/envelope.ts';
import { ReplayError, type ReplayTarget, replayDeadLetters, rewindGroup } from '../src/replay.ts';
import type { EventTransport, InboundMessage, Stopper } from '../src/transport.ts';
import { type ScratchSubgraph, scratchSubgraph } from './scratch-subgraph.ts';

export interface ReplayEnvironment {
  adminUrl: string;
  target: ReplayTarget;
  /** what the scratch consumers run on; the suite closes it */
  transport: EventTransport;
  createTopics(topics: { name: string; partitions: number }[]): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  /** messages on `topic` that `group` has not handled yet */
  lag(group: string, topic: string): Promise<number>;
  /** environment for kafka/scripts/replay.ts */
  scriptEnv: NodeJS.ProcessEnv;
}

const SCRIPT = fileURLToPath(new URL('../scripts/replay.ts', import.meta.url));

export function runReplayScript(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export function replaySuite(name: string, makeEnvironment: () => Promise<ReplayEnvironment>): void {
  describe(`${name}: poison event -> dead letter -> replay`, () => {
    const run = randomUUID().slice(0, 8);
    let env: ReplayEnvironment;
    let scratch: ScratchSubgraph;
    let stopConsumers: (() => Promise<void>) | null = null;
    const stoppers: Stopper[] = [];
    /** a handler fails on events carrying its flag while it is broken */
    const broken: Record<string, boolean> = { fragile: true, picky: true };
    const calls = new Map<string, number>();
    const events: CloudEvent[] = [];

    const group = (handler: string) => `comanda.${scratch.name}.${handler}`;
    const consumer = (handler: string) => `${scratch.name}.${handler}`;
    const handler = (handlerName: string, failsOn?: string): EventHandler => ({
      name: handlerName,
      types: [scratch.eventType('happened')],
      handle: async (em, event) => {
        const key = `${handlerName}:${event.id}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        if (failsOn && event.data[failsOn] && broken[handlerName]) throw new Error(`${handlerName} cannot apply ${event.id}: ${failsOn} data`);
        await scratch.recordEffect(em, consumer(handlerName), event);
      },
    });
    const handlers = () => [handler('fragile', 'poison'), handler('picky', 'picky'), handler('steady')];
    const start = async () => {
      stopConsumers = await startConsumers({
        subgraph: scratch.name,
        handlers: handlers(),
        orm: scratch.orm,
        transport: env.transport,
        log: createLogger('replay-test'),
      });
    };
    const stop = async () => {
      await stopConsumers?.();
      stopConsumers = null;
    };

    /** event ids each consumer applied, in the order it applied them */
    async function effects(handlerName: string): Promise<string[]> {
      const rows = await scratch.query<{ event_id: string }>('select event_id from effect where consumer = $1 order by id', [consumer(handlerName)]);
      return rows.map((row) => row.event_id);
    }
    const caughtUp = (...handlerNames: string[]) =>
      until(
        async () => (await Promise.all(handlerNames.map((h) => env.lag(group(h), scratch.topic)))).every((lag) => lag === 0),
        'consumers to catch up',
      );

    /** a raw subscription that records every delivery */
    async function record(groupId: string, topic: string): Promise<{ deliveries: InboundMessage[]; stop: Stopper }> {
      const deliveries: InboundMessage[] = [];
      const stopper = await env.transport.subscribe({ groupId, topics: [topic], fromBeginning: true, handle: async (m) => void deliveries.push(m) });
      stoppers.push(stopper);
      return { deliveries, stop: stopper };
    }
    let probe: { deliveries: InboundMessage[]; stop: Stopper };
    const probeGroup = `replay-probe-${run}`;
    const idsOf = (messages: InboundMessage[]) => messages.map((m) => decodeEvent(m).id);

    beforeAll(async () => {
      env = await makeEnvironment();
      scratch = await scratchSubgraph(env.adminUrl, 'deadletters');
      await env.createTopics([
        { name: scratch.topic, partitions: 3 },
        { name: scratch.deadLetterTopic, partitions: 1 },
      ]);
      probe = await record(probeGroup, scratch.topic);
      await start();
    }, 120_000);

    afterAll(async () => {
      await stop();
      await Promise.all(stoppers.map((s) => s()));
      await env?.transport.close();
      await scratch?.close();
      if (scratch) await env.deleteTopics([scratch.topic, scratch.deadLetterTopic]);
    }, 60_000);

    it('parks an event its handler keeps failing on in <topic>.dlq with the error, and moves on to the later events', async () => {
      events.push(
        scratch.event('thing-1', 1, 'happened'),
        scratch.event('thing-1', 2, 'happened', { poison: true }),
        scratch.event('thing-1', 3, 'happened', { picky: true }),
        scratch.event('thing-1', 4, 'happened'),
      );
      const [e1, e2, e3, e4] = events.map((e) => e.id);
      await env.transport.publish(events.map(encodeEvent));

      await until(async () => (await effects('fragile')).length === 3 && (await effects('picky')).length === 3, 'the later events to be applied');
      expect(await effects('fragile')).toEqual([e1, e3, e4]);
      expect(await effects('picky')).toEqual([e1, e2, e4]);
      await until(async () => (await effects('steady')).length === 4, 'steady to apply everything');
      expect(calls.get(`fragile:${e2}`)).toBe(MAX_ATTEMPTS);

      const dlq = await record(`replay-dlq-reader-${run}`, scratch.deadLetterTopic);
      await until(async () => dlq.deliveries.length >= 2, 'two dead letters');
      const byConsumer = new Map(dlq.deliveries.map((m) => [m.headers['dlq-consumer'], m]));
      const poisoned = byConsumer.get(consumer('fragile'))!;
      expect(decodeEvent(poisoned).id).toBe(e2);
      expect(poisoned.key).toBe('thing-1');
      expect(poisoned.headers).toMatchObject({ 'dlq-topic': scratch.topic, ce_id: e2, traceparent: events[1]!.traceparent });
      expect(poisoned.headers['dlq-error']).toContain('fragile cannot apply');
      expect(poisoned.headers['dlq-offset']).toMatch(/^\d+$/);
      expect(Date.parse(poisoned.headers['dlq-failed-at']!)).toBeGreaterThan(Date.now() - 120_000);
      expect(decodeEvent(byConsumer.get(consumer('picky'))!).id).toBe(e3);
      expect(dlq.deliveries).toHaveLength(2);
      await dlq.stop();
    }, 60_000);

    it('a dry run lists the dead letters it would republish and publishes nothing', async () => {
      await until(async () => probe.deliveries.length === 4, 'the probe to see the four events');
      const lines: string[] = [];
      const result = await replayDeadLetters(
        env.target,
        { kind: 'dlq', dlqTopic: scratch.deadLetterTopic, consumer: consumer('fragile'), dryRun: true },
        (l) => lines.push(l),
      );
      expect(result).toMatchObject({ read: 2, republished: 1, skipped: 1 });
      expect(lines.filter((l) => l.startsWith('would republish'))).toEqual([expect.stringContaining(events[1]!.id)]);
      expect(lines.at(-1)).toMatch(/^done: 2 dead letter\(s\) read, 1 to republish, 1 skipped/);
      await sleep(1500);
      expect(probe.deliveries).toHaveLength(4);
    }, 60_000);

    it('after the fix, replaying one consumer’s dead letters applies the event once, however often it is replayed', async () => {
      broken.fragile = false;
      const e2 = events[1]!;
      const lines: string[] = [];
      const result = await replayDeadLetters(
        env.target,
        { kind: 'dlq', dlqTopic: scratch.deadLetterTopic, consumer: consumer('fragile'), dryRun: false },
        (l) => lines.push(l),
      );
      expect(result).toMatchObject({ read: 2, republished: 1, skipped: 1 });
      expect(lines.find((l) => l.startsWith('republished'))).toContain(`id=${e2.id}`);
      expect(lines.find((l) => l.startsWith('skip'))).toContain(`failed in ${consumer('picky')}`);

      await until(async () => (await effects('fragile')).includes(e2.id), 'the replayed event to be applied');
      await caughtUp('fragile', 'picky', 'steady');
      // back on its topic as it was first published: same envelope, no dlq-* headers
      const again = probe.deliveries.filter((m) => m.headers.ce_id === e2.id);
      expect(again).toHaveLength(2);
      expect(again[1]!.value).toBe(again[0]!.value);
      expect(again[1]!.key).toBe('thing-1');
      expect(Object.keys(again[1]!.headers).filter((h) => h.startsWith('dlq-'))).toEqual([]);
      expect(again[1]!.headers).toMatchObject({ ce_id: e2.id, traceparent: e2.traceparent });

      await replayDeadLetters(env.target, { kind: 'dlq', dlqTopic: scratch.deadLetterTopic, consumer: consumer('fragile'), dryRun: false }, () => {});
      await until(async () => probe.deliveries.filter((m) => m.headers.ce_id === e2.id).length === 3, 'the second replay on the topic');
      await caughtUp('fragile', 'picky', 'steady');
      for (const h of ['fragile', 'picky', 'steady']) {
        expect(
          (await effects(h)).filter((id) => id === e2.id),
          h,
        ).toHaveLength(1);
      }
      // the inbox turned the other consumers' second and third deliveries into no-ops
      expect(calls.get(`steady:${e2.id}`)).toBe(1);
    }, 90_000);

    it('npm run events:replay -- --dlq ... --consumer re-drives another consumer’s dead letter; bad arguments exit 2 with the usage', async () => {
      broken.picky = false;
      const e3 = events[2]!;
      const res = await runReplayScript(['--dlq', scratch.deadLetterTopic, '--consumer', consumer('picky')], env.scriptEnv);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const lines = res.stdout.trim().split('\n');
      expect(lines.filter((l) => l.includes('] republished'))).toEqual([expect.stringContaining(`id=${e3.id}`)]);
      expect(lines.at(-1)).toMatch(
        /done: 2 dead letter\(s\) read, 1 republished, 1 skipped; later dead letters start at partition 0 --from-offset \d+/,
      );
      await until(async () => (await effects('picky')).includes(e3.id), 'picky to apply the replayed event');
      await caughtUp('fragile', 'picky', 'steady');
      expect((await effects('picky')).filter((id) => id === e3.id)).toHaveLength(1);
      expect((await effects('fragile')).filter((id) => id === e3.id)).toHaveLength(1);

      const bad = await runReplayScript(['--dlq', scratch.topic], env.scriptEnv);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--dlq takes a dead-letter topic');
      expect(bad.stderr).toContain('Usage:');
    }, 60_000);

    it('rewinds a stopped group to a time or an offset, refuses while it consumes, and the inbox keeps effects once', async () => {
      const [r1, r2] = [scratch.event('thing-2', 1, 'happened'), scratch.event('thing-2', 2, 'happened')];
      await env.transport.publish([r1, r2].map(encodeEvent));
      await until(async () => idsOf(probe.deliveries).includes(r2.id), 'the probe to see r2');
      await sleep(600);
      const since = new Date();
      await sleep(600);
      const [r3, r4] = [scratch.event('thing-2', 3, 'happened'), scratch.event('thing-2', 4, 'happened')];
      await env.transport.publish([r3, r4].map(encodeEvent));
      await until(async () => idsOf(probe.deliveries).includes(r4.id), 'the probe to see r4');
      const r2Message = probe.deliveries.find((m) => m.headers.ce_id === r2.id)!;

      const rewind = (from: { offset: bigint } | { time: Date }, partition?: number) =>
        rewindGroup(env.target, { kind: 'rewind', topic: scratch.topic, group: probeGroup, from, partition, dryRun: false }, () => {});
      await expect(rewind({ time: since })).rejects.toThrow(ReplayError);
      await expect(rewind({ time: since })).rejects.toThrow(/is (active|consuming)/);

      await probe.stop();
      const byTime = await rewind({ time: since });
      expect(byTime.again).toBe(2n);
      probe = await record(probeGroup, scratch.topic);
      await until(async () => probe.deliveries.length >= 2, 'the rewound probe to read again');
      await sleep(500);
      expect(idsOf(probe.deliveries)).toEqual([r3.id, r4.id]);

      await probe.stop();
      const byOffset = await rewind({ offset: BigInt(r2Message.offset) }, r2Message.partition);
      expect(byOffset.partitions.filter((p) => p.rewind).map((p) => p.partition)).toEqual([r2Message.partition]);
      expect(byOffset.again).toBe(3n);
      probe = await record(probeGroup, scratch.topic);
      await until(async () => probe.deliveries.length >= 3, 'the probe to read from r2 again');
      await sleep(500);
      expect(idsOf(probe.deliveries)).toEqual([r2.id, r3.id, r4.id]);

      // a subgraph's reaction: moved back to the start, it reads everything again and applies nothing twice
      await caughtUp('steady');
      await stop();
      const all = await rewindGroup(
        env.target,
        { kind: 'rewind', topic: scratch.topic, group: group('steady'), from: { offset: 0n }, dryRun: false },
        () => {},
      );
      expect(all.again).toBeGreaterThanOrEqual(8n);
      expect(await env.lag(group('steady'), scratch.topic)).toBeGreaterThanOrEqual(8);
      await start();
      await caughtUp('fragile', 'picky', 'steady');
      const steady = await effects('steady');
      expect(steady).toHaveLength(8);
      expect(new Set(steady).size).toBe(8);

      await expect(
        rewindGroup(env.target, { kind: 'rewind', topic: scratch.topic, group: `nobody-${run}`, from: { offset: 0n }, dryRun: false }, () => {}),
      ).rejects.toThrow(/has no (committed offset|position)/);
    }, 120_000);
  });
}

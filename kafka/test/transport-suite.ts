/**
 * The behaviour every EventTransport must have (kafka/src/transport.ts), as one suite that runs
 * against a real backend: kafkajs-transport.test.ts calls it for Kafka, and the embedded
 * PostgreSQL transport calls it for itself. Each run uses fresh topics and consumer groups, so
 * runs never see each other's messages.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CloudEvent, decodeEvent, encodeEvent } from '../src/envelope.ts';
import type { EventTransport, InboundMessage, OutboundMessage, Stopper, Subscription } from '../src/transport.ts';

export interface SuiteEnvironment {
  /** creates empty topics before a test publishes to them */
  createTopics(topics: { name: string; partitions: number }[]): Promise<void>;
  /** removes them after the suite */
  deleteTopics(names: string[]): Promise<void>;
  /**
   * Whether a topic spreads keys over partitions. The ordering test then also checks that the
   * 1,000 messages really used several partitions and that each key stayed on one.
   */
  partitioned: boolean;
}

export function sampleEvent(subject: string, sequence: number, extra: Partial<CloudEvent> = {}): CloudEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'orders',
    type: 'comanda.orders.order.placed.v1',
    subject,
    time: new Date().toISOString(),
    tenantid: 'tenant-suite',
    storeid: 'store-1',
    sequence,
    traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
    datacontenttype: 'application/json',
    data: { total: '12.50', currency: 'RON' },
    ...extra,
  };
}

/** The Kafka message for `event`, on a suite topic instead of its catalog topic. */
export function messageOn(topic: string, event: CloudEvent): OutboundMessage {
  return { ...encodeEvent(event), topic };
}

export function transportSuite(name: string, makeTransport: () => EventTransport | Promise<EventTransport>, environment: SuiteEnvironment): void {
  describe(`${name} transport`, () => {
    const run = randomUUID().slice(0, 8);
    const topics: string[] = [];
    const stoppers: Stopper[] = [];
    let transport: EventTransport;

    async function topic(label: string, partitions: number): Promise<string> {
      const topicName = `test.transport.${run}.${label}`;
      await environment.createTopics([{ name: topicName, partitions }]);
      topics.push(topicName);
      return topicName;
    }

    /** Subscribes and records every delivery (including redeliveries) in order. */
    async function record(subscription: Omit<Subscription, 'handle'> & { handle?: Subscription['handle'] }) {
      const deliveries: InboundMessage[] = [];
      const stop = await transport.subscribe({
        ...subscription,
        handle: async (message) => {
          deliveries.push(message);
          await subscription.handle?.(message);
        },
      });
      stoppers.push(stop);
      return { deliveries, stop };
    }

    const sequences = (deliveries: InboundMessage[]) => deliveries.map((message) => decodeEvent(message).sequence);

    beforeAll(async () => {
      transport = await makeTransport();
    });

    afterAll(async () => {
      await Promise.all(stoppers.map((stop) => stop()));
      await transport?.close();
      if (topics.length) await environment.deleteTopics(topics);
    });

    it('delivers a published envelope with its key, headers and position', async () => {
      const roundTrip = await topic('round-trip', 3);
      const event = sampleEvent('order-round-trip', 1);
      const { deliveries } = await record({ groupId: `suite-${run}-round-trip`, topics: [roundTrip], fromBeginning: true });

      await transport.publish([messageOn(roundTrip, event)]);

      await vi.waitFor(() => expect(deliveries).toHaveLength(1), { timeout: 15_000, interval: 50 });
      const [message] = deliveries;
      expect(message!.topic).toBe(roundTrip);
      expect(message!.key).toBe('order-round-trip');
      expect(decodeEvent(message!)).toEqual(event);
      expect(message!.headers).toMatchObject({ traceparent: event.traceparent, ce_type: event.type, ce_id: event.id });
      expect(message!.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
      expect(message!.partition).toBeGreaterThanOrEqual(0);
      expect(message!.offset).toMatch(/^\d+$/);
      expect(Date.parse(message!.timestamp)).toBeGreaterThan(Date.now() - 60_000);
      expect(message!.attempt).toBe(1);
    });

    it('starts a new group after the existing messages unless fromBeginning', async () => {
      const late = await topic('late-joiner', 1);
      await transport.publish([messageOn(late, sampleEvent('order-late', 1))]);

      const fromEnd = await record({ groupId: `suite-${run}-from-end`, topics: [late], fromBeginning: false });
      const fromStart = await record({ groupId: `suite-${run}-from-start`, topics: [late], fromBeginning: true });
      await transport.publish([messageOn(late, sampleEvent('order-late', 2))]);

      await vi.waitFor(() => expect(fromStart.deliveries).toHaveLength(2), { timeout: 15_000, interval: 50 });
      await vi.waitFor(() => expect(fromEnd.deliveries).toHaveLength(1), { timeout: 15_000, interval: 50 });
      // one key, one partition: had the first message been delivered it would have come first
      expect(sequences(fromEnd.deliveries)).toEqual([2]);
      expect(sequences(fromStart.deliveries)).toEqual([1, 2]);
    });

    it('keeps per-key order over 1,000 messages spread over partitions and group members', async () => {
      const busy = await topic('ordering', 6);
      const keys = 40;
      const perKey = 25;
      const groupId = `suite-${run}-ordering`;
      // both members are in the group before anything is published, so no rebalance redelivers
      const first = await record({ groupId, topics: [busy], fromBeginning: true });
      const second = await record({ groupId, topics: [busy], fromBeginning: true });

      const all: OutboundMessage[] = [];
      for (let sequence = 1; sequence <= perKey; sequence++) {
        for (let k = 0; k < keys; k++) all.push(messageOn(busy, sampleEvent(`order-${k}`, sequence)));
      }
      for (let i = 0; i < all.length; i += 100) await transport.publish(all.slice(i, i + 100));

      const received = () => [...first.deliveries, ...second.deliveries];
      await vi.waitFor(() => expect(received().length).toBeGreaterThanOrEqual(keys * perKey), { timeout: 30_000, interval: 100 });

      expect(new Set(received().map((message) => decodeEvent(message).id)).size).toBe(keys * perKey);
      for (const member of [first.deliveries, second.deliveries]) {
        const byKey = new Map<string, number[]>();
        for (const message of member) byKey.set(message.key!, [...(byKey.get(message.key!) ?? []), decodeEvent(message).sequence]);
        for (const [key, seen] of byKey) {
          expect(seen, `order of ${key}`).toEqual(Array.from({ length: perKey }, (_, i) => i + 1));
        }
      }
      if (environment.partitioned) {
        const partitionsOf = new Map<string, Set<number>>();
        for (const message of received()) partitionsOf.set(message.key!, (partitionsOf.get(message.key!) ?? new Set()).add(message.partition));
        expect([...partitionsOf.values()].every((partitions) => partitions.size === 1)).toBe(true);
        expect(new Set(received().map((message) => message.partition)).size).toBeGreaterThan(1);
        expect(first.deliveries.length).toBeGreaterThan(0);
        expect(second.deliveries.length).toBeGreaterThan(0);
      }
    });

    it('commits an offset only after its handler resolves: a failing message comes again, after a restart too', async () => {
      const fragile = await topic('redelivery', 1);
      const groupId = `suite-${run}-redelivery`;
      await transport.publish(Array.from({ length: 10 }, (_, i) => messageOn(fragile, sampleEvent('order-fragile', i + 1))));

      const failing = await record({
        groupId,
        topics: [fragile],
        fromBeginning: true,
        handle: async (message) => {
          if (decodeEvent(message).sequence === 5) throw new Error('cannot apply event 5');
        },
      });
      await vi.waitFor(() => expect(failing.deliveries.filter((m) => decodeEvent(m).sequence === 5).length).toBeGreaterThanOrEqual(3), {
        timeout: 15_000,
        interval: 50,
      });
      await failing.stop();

      // nothing after the failing message was delivered meanwhile, and each retry counted up
      const attemptsOf5 = failing.deliveries.filter((m) => decodeEvent(m).sequence === 5).map((m) => m.attempt);
      expect(sequences(failing.deliveries).filter((s) => s !== 5)).toEqual([1, 2, 3, 4]);
      expect(attemptsOf5.slice(0, 3)).toEqual([1, 2, 3]);

      const restarted = await record({ groupId, topics: [fragile], fromBeginning: true });
      await vi.waitFor(() => expect(restarted.deliveries).toHaveLength(6), { timeout: 15_000, interval: 50 });
      // 1-4 were committed once handled; 5 never was, so the group resumes there
      expect(sequences(restarted.deliveries)).toEqual([5, 6, 7, 8, 9, 10]);
      expect(restarted.deliveries[0]!.attempt).toBe(1);
    });

    it('stops a subscription while its handler keeps failing, and delivers nothing after', async () => {
      const stuck = await topic('stuck', 1);
      await transport.publish([messageOn(stuck, sampleEvent('order-stuck', 1))]);
      const failing = await record({
        groupId: `suite-${run}-stuck`,
        topics: [stuck],
        fromBeginning: true,
        handle: async () => {
          throw new Error('always fails');
        },
      });
      await vi.waitFor(() => expect(failing.deliveries.length).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 50 });
      await failing.stop();
      const seen = failing.deliveries.length;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(failing.deliveries.length).toBe(seen);
    });

    it('reports its health', async () => {
      const health = await transport.health();
      expect(health.ok).toBe(true);
      expect(health.detail.length).toBeGreaterThan(0);
    });
  });
}

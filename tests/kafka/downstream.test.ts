/**
 * What a downstream system that is not ours sees on Kafka: the stack of the `kafka` project
 * publishes every event there. kcat reads a topic the way any outside consumer would.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { brokersFromEnv, decodeEvent, KafkaTransport, TOPICS } from '@comanda/kafka';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, inject, it } from 'vitest';
import { eventually } from '../support/client.ts';
import { pay, placePosOrder } from '../support/flows.ts';

const run = promisify(execFile);
const hasKcat = spawnSync('kcat', ['-V']).status === 0;
const brokers = brokersFromEnv({ KAFKA_BROKERS: process.env.KAFKA_BROKERS || '127.0.0.1:9092' });

describe('downstream consumers of the Kafka topics', () => {
  it('runs on the Kafka transport', () => {
    expect(inject('transport')).toBe('kafka');
  });

  it('every event of a sale arrives on its aggregate topic, keyed by the aggregate, valid against its schema', async () => {
    const order = await placePosOrder();
    await pay(order.id, order.total.amount, 'CARD');
    const catalog = loadEventCatalog();
    const expected = [
      'comanda.orders.order.placed.v1',
      'comanda.payments.payment.captured.v1',
      'comanda.orders.order.confirmed.v1',
      'comanda.fiscal.receipt.issued.v1',
      'comanda.fiscal.print_job.queued.v1',
    ];
    const transport = new KafkaTransport({ brokers });
    const received: { topic: string; key: string | null; event: ReturnType<typeof decodeEvent> }[] = [];
    const stop = await transport.subscribe({
      groupId: `downstream-test-${crypto.randomUUID()}`,
      topics: TOPICS.filter((t) => !t.deadLetterOf).map((t) => t.name),
      fromBeginning: true,
      handle: async (message) => void received.push({ topic: message.topic, key: message.key, event: decodeEvent(message) }),
    });
    try {
      const mine = await eventually(async () => {
        const receipts = new Set(
          received.filter((r) => r.event.data.orderId === order.id && r.event.data.receiptId).map((r) => r.event.data.receiptId),
        );
        // a print job knows its receipt, the receipt its order
        const forOrder = received.filter((r) => r.event.data.orderId === order.id || receipts.has(r.event.data.receiptId));
        const types = new Set(forOrder.map((r) => r.event.type));
        // topics are read side by side, so a sale's events arrive in no particular order across them
        return expected.every((type) => types.has(type)) ? forOrder : null;
      }, 30_000).catch(() => null);
      const types = (mine ?? []).map((r) => r.event.type);
      for (const type of expected) expect(types).toContain(type);
      for (const { topic, key, event } of mine ?? []) {
        expect(key).toBe(event.subject);
        expect(topic).toBe(`${event.type.split('.').slice(0, 3).join('.')}.v1`);
        expect(catalog.validate(event), event.type).toBeNull();
      }
      const orderEvents = (mine ?? []).filter((r) => r.topic === 'comanda.orders.order.v1').map((r) => r.event.sequence);
      expect(orderEvents).toEqual([...orderEvents].sort((a, b) => a - b));
    } finally {
      await stop();
      await transport.close();
    }
  });

  it.skipIf(!hasKcat)('kcat reads comanda.orders.order.v1 and sees the CloudEvents envelope', async () => {
    const order = await placePosOrder();
    const placed = await eventually(async () => {
      const { stdout } = await run('kcat', ['-b', brokers.join(','), '-C', '-t', 'comanda.orders.order.v1', '-o', 'beginning', '-e', '-q', '-J'], {
        maxBuffer: 64 * 1024 * 1024,
      });
      const messages = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { key: string; payload: string; headers?: string[] });
      return messages.find((m) => m.key === order.id) ?? null;
    }, 30_000);
    const envelope = JSON.parse(placed.payload);
    expect(envelope).toMatchObject({ specversion: '1.0', source: 'orders', type: 'comanda.orders.order.placed.v1', subject: order.id, sequence: 1 });
    expect(envelope.data.total).toBe(order.total.amount);
    expect(placed.headers).toEqual(expect.arrayContaining(['ce_type', 'comanda.orders.order.placed.v1']));
  });
});

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGGREGATES, DLQ_RETENTION_MS, deadLetterTopic, RETENTION_MS, TOPICS, topicOf, topicOfType } from '../src/topics.ts';

const eventTypes = readdirSync(new URL('../../schema/events/', import.meta.url))
  .filter((file) => file.startsWith('comanda.') && file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length));

describe('topic catalog', () => {
  it('names one topic per aggregate and a dead-letter topic beside each', () => {
    const names = TOPICS.map((topic) => topic.name);
    expect(names).toContain('comanda.orders.order.v1');
    expect(names).toContain('comanda.orders.order.v1.dlq');
    expect(names).toContain('comanda.payments.payment.v1');
    expect(names).toContain('comanda.fiscal.receipt.v1');
    expect(names).toContain('comanda.fiscal.invoice.v1');
    expect(names).toContain('comanda.fiscal.print_job.v1');
    expect(TOPICS).toHaveLength(AGGREGATES.length * 2);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives aggregate topics six partitions and a week, dead letters one partition and a month', () => {
    for (const topic of TOPICS) {
      if (topic.deadLetterOf) {
        expect(topic.name).toBe(deadLetterTopic(topic.deadLetterOf));
        expect(topic).toMatchObject({ partitions: 1, retentionMs: 30 * 24 * 3600 * 1000 });
      } else {
        expect(topic).toMatchObject({ partitions: 6, retentionMs: 7 * 24 * 3600 * 1000 });
      }
    }
    expect(DLQ_RETENTION_MS).toBeGreaterThan(RETENTION_MS);
  });

  it('has a topic for every event type in schema/events', () => {
    expect(eventTypes.length).toBeGreaterThan(10);
    const names = new Set(TOPICS.map((topic) => topic.name));
    for (const type of eventTypes) expect(names.has(topicOfType(type)), `${type} -> ${topicOfType(type)}`).toBe(true);
  });

  it("has names Kafka accepts side by side (it refuses topics that differ only in '.' versus '_')", () => {
    const normalized = TOPICS.map((topic) => topic.name.replaceAll('.', '_'));
    expect(new Set(normalized).size).toBe(TOPICS.length);
    for (const topic of TOPICS) expect(topic.name).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });

  it('maps an event type to its aggregate topic, whatever the event version', () => {
    expect(topicOfType('comanda.orders.order.placed.v1')).toBe('comanda.orders.order.v1');
    expect(topicOfType('comanda.fiscal.print_job.status_changed.v1')).toBe('comanda.fiscal.print_job.v1');
    expect(topicOfType('comanda.payments.payment.captured.v2')).toBe(topicOf('payments', 'payment'));
    expect(() => topicOfType('orders.order.placed')).toThrow(/not a comanda event type/);
    expect(() => topicOfType('comanda.Orders.order.placed.v1')).toThrow(/not a comanda event type/);
  });
});

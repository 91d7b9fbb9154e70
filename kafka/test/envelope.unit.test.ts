import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { type CloudEvent, decodeEvent, encodeEvent, MalformedEventError, type OutboxRow, toEnvelope } from '../src/envelope.ts';

const envelopeSchema = JSON.parse(readFileSync(new URL('../../schema/events/envelope.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
const validEnvelope = ajv.compile(envelopeSchema);

const row: OutboxRow = {
  position: '42',
  id: '0193f1d2-7c4a-7b3e-9a51-0c2d4e6f8a10',
  tenant_id: 'tenant-1',
  store_id: 'store-1',
  aggregate_type: 'order',
  aggregate_id: 'order-7',
  sequence: '3',
  type: 'comanda.orders.order.confirmed.v1',
  data: { total: '10.00' },
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  occurred_at: new Date('2026-11-23T10:00:00.000Z'),
};

describe('event envelope', () => {
  it('builds a schema-valid CloudEvents envelope from an outbox row', () => {
    const event = toEnvelope('orders', row);
    expect(event).toEqual({
      specversion: '1.0',
      id: row.id,
      source: 'orders',
      type: 'comanda.orders.order.confirmed.v1',
      subject: 'order-7',
      time: '2026-11-23T10:00:00.000Z',
      tenantid: 'tenant-1',
      storeid: 'store-1',
      sequence: 3,
      traceparent: row.traceparent,
      datacontenttype: 'application/json',
      data: { total: '10.00' },
    });
    expect(validEnvelope(event), JSON.stringify(validEnvelope.errors)).toBe(true);
  });

  it('encodes an event for its aggregate topic, keyed by aggregate id, with trace and type headers', () => {
    const event = toEnvelope('orders', row);
    const message = encodeEvent(event);
    expect(message.topic).toBe('comanda.orders.order.v1');
    expect(message.key).toBe('order-7');
    expect(message.headers).toEqual({
      'content-type': 'application/cloudevents+json; charset=UTF-8',
      ce_type: 'comanda.orders.order.confirmed.v1',
      ce_id: row.id,
      traceparent: row.traceparent,
    });
    expect(decodeEvent(message)).toEqual(event);
  });

  it('leaves the traceparent header out when the change had no trace', () => {
    const message = encodeEvent(toEnvelope('orders', { ...row, traceparent: null }));
    expect(message.headers).not.toHaveProperty('traceparent');
  });

  it('refuses values that are not Comanda envelopes, as malformed (not worth retrying)', () => {
    const good = toEnvelope('orders', row);
    const bad: [string, string][] = [
      ['{not json', 'value is not JSON'],
      ['[1,2]', 'not a JSON object'],
      [JSON.stringify({ ...good, specversion: '0.3' }), 'unsupported specversion'],
      [JSON.stringify({ ...good, id: '' }), 'missing id'],
      [JSON.stringify({ ...good, tenantid: undefined }), 'missing tenantid'],
      [JSON.stringify({ ...good, sequence: 0 }), 'sequence'],
      [JSON.stringify({ ...good, sequence: '3' }), 'sequence'],
      [JSON.stringify({ ...good, data: null }), 'data is not an object'],
      [JSON.stringify({ ...good, type: 'com.example.thing' }), 'not a comanda event type'],
    ];
    for (const [value, reason] of bad) {
      expect(() => decodeEvent({ value }), value).toThrow(MalformedEventError);
      expect(() => decodeEvent({ value }), value).toThrow(reason);
    }
  });

  it('keeps the envelope exactly as published, data included', () => {
    const event: CloudEvent = { ...toEnvelope('fiscal', { ...row, type: 'comanda.fiscal.receipt.issued.v1' }), data: { lines: [{ qty: '1.000' }] } };
    expect(decodeEvent({ value: JSON.stringify(event) })).toEqual(event);
  });
});

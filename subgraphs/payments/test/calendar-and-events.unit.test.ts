import { describe, expect, it } from 'vitest';
import { parseOrderPlaced } from '../src/events.ts';

describe('order.placed data', () => {
  const data = {
    orderId: '0194f3a0-0000-7000-8000-000000000001',
    storeId: '0194f3a0-0000-7000-8000-000000000002',
    channel: 'POS',
    customerId: null,
    currency: 'RON',
    total: '123.45',
    payOnAccount: false,
  };

  it('takes what payments keeps', () => {
    expect(parseOrderPlaced({ ...data, lines: [] })).toEqual(data);
    expect(parseOrderPlaced({ ...data, customerId: undefined, payOnAccount: undefined })).toMatchObject({ customerId: null, payOnAccount: false });
  });

  it.each([
    ['orderId', 'nope'],
    ['storeId', 42],
    ['currency', 'ron'],
    ['total', 12.5],
    ['total', '-1.00'],
    ['customerId', 'x'],
  ])('throws on a bad %s', (key, value) => {
    expect(() => parseOrderPlaced({ ...data, [key]: value })).toThrow();
  });
});

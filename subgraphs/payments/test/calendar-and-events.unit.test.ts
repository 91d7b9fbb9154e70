import { describe, expect, it } from 'vitest';
import { calendarDay } from '../src/domain/calendar-day.ts';
import { parseOrderPlaced } from '../src/events.ts';

describe("a store's today", () => {
  it.each([
    ['2025-06-01T22:30:00Z', 'Europe/Bucharest', '2025-06-01T21:00:00.000Z', '2025-06-02T21:00:00.000Z'],
    ['2025-06-01T20:59:59Z', 'Europe/Bucharest', '2025-05-31T21:00:00.000Z', '2025-06-01T21:00:00.000Z'],
    ['2025-03-30T10:00:00Z', 'Europe/Bucharest', '2025-03-29T22:00:00.000Z', '2025-03-30T21:00:00.000Z'],
    ['2025-10-26T10:00:00Z', 'Europe/Bucharest', '2025-10-25T21:00:00.000Z', '2025-10-26T22:00:00.000Z'],
    ['2025-06-01T02:30:00Z', 'America/New_York', '2025-05-31T04:00:00.000Z', '2025-06-01T04:00:00.000Z'],
    ['2025-06-01T12:00:00Z', 'Asia/Kolkata', '2025-05-31T18:30:00.000Z', '2025-06-01T18:30:00.000Z'],
  ])('at %s in %s runs from %s to %s', (now, timeZone, from, to) => {
    const day = calendarDay(new Date(now), timeZone);
    expect([day.from.toISOString(), day.to.toISOString()]).toEqual([from, to]);
  });

  it('refuses an unknown timezone', () => {
    expect(() => calendarDay(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});

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

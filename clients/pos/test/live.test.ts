import { describe, expect, it } from 'vitest';
import { parse } from '../src/lib/decimal.ts';
import { type BoardOrder, upsert } from '../src/lib/live/board.svelte.ts';
import { bucketByHour, dayOf, startOfDay } from '../src/lib/live/dashboard.svelte.ts';

function order(number: string, createdAt: string, status = 'PENDING', total = '10.00'): BoardOrder {
  return {
    id: `id-${number}`,
    number,
    status,
    createdAt,
    total: { amount: total, currencyCode: 'RON' },
    customer: null,
    paymentStatus: 'UNPAID',
    amountPaid: { amount: '0' },
    fulfillmentStatus: 'UNFULFILLED',
    receipt: null,
  };
}

describe('the orders board', () => {
  it('keeps the newest first and replaces an order it already shows', () => {
    let rows = upsert([], order('B-1', '2025-03-01T10:00:00Z'));
    rows = upsert(rows, order('B-3', '2025-03-01T10:02:00Z'));
    rows = upsert(rows, order('B-2', '2025-03-01T10:01:00Z'));
    expect(rows.map((r) => r.number)).toEqual(['B-3', 'B-2', 'B-1']);
    rows = upsert(rows, order('B-2', '2025-03-01T10:01:00Z', 'CONFIRMED'), { type: 'STATUS_CHANGED', at: '2025-03-01T10:05:00Z' });
    expect(rows.map((r) => [r.number, r.status])).toEqual([
      ['B-3', 'PENDING'],
      ['B-2', 'CONFIRMED'],
      ['B-1', 'PENDING'],
    ]);
    // a later read without a change keeps the highlight of the last change
    rows = upsert(rows, order('B-2', '2025-03-01T10:01:00Z', 'CONFIRMED'));
    expect(rows[1]!.change?.type).toBe('STATUS_CHANGED');
  });
  it('holds at most its limit', () => {
    let rows: ReturnType<typeof upsert> = [];
    for (let i = 0; i < 5; i++) rows = upsert(rows, order(`B-${i}`, `2025-03-01T10:0${i}:00Z`), undefined, 3);
    expect(rows.map((r) => r.number)).toEqual(['B-4', 'B-3', 'B-2']);
  });
});

describe('the dashboard', () => {
  it('starts the day at midnight in the store’s timezone, also across a DST change', () => {
    expect(startOfDay('Europe/Bucharest', new Date('2025-07-10T12:00:00Z')).toISOString()).toBe('2025-07-09T21:00:00.000Z');
    expect(startOfDay('Europe/Bucharest', new Date('2025-01-10T12:00:00Z')).toISOString()).toBe('2025-01-09T22:00:00.000Z');
    // 30 March 2025: clocks go forward at 03:00; the day still began at 00:00 (UTC+2)
    expect(startOfDay('Europe/Bucharest', new Date('2025-03-30T20:00:00Z')).toISOString()).toBe('2025-03-29T22:00:00.000Z');
    expect(startOfDay('UTC', new Date('2025-03-30T20:00:00Z')).toISOString()).toBe('2025-03-30T00:00:00.000Z');
  });
  it('puts today’s orders into hours of the store’s clock, without cancelled ones', () => {
    const tz = 'Europe/Bucharest';
    const hours = bucketByHour(
      [
        order('B-1', '2025-07-10T06:15:00Z', 'CONFIRMED', '10.50'), // 09:15 local
        order('B-2', '2025-07-10T06:45:00Z', 'PENDING', '4.50'), // 09:45
        order('B-3', '2025-07-10T14:00:00Z', 'CANCELLED', '99.00'),
        order('B-4', '2025-07-09T20:59:00Z', 'CONFIRMED', '7.00'), // 23:59 the day before
        order('B-5', '2025-07-09T21:00:00Z', 'CONFIRMED', '1.00'), // 00:00 today
      ],
      tz,
      dayOf(tz, new Date('2025-07-10T12:00:00Z')),
    );
    expect(hours[9]).toEqual({ hour: 9, sales: parse('15.00'), orders: 2 });
    expect(hours[0]).toEqual({ hour: 0, sales: parse('1.00'), orders: 1 });
    expect(hours.reduce((n, h) => n + h.orders, 0)).toBe(3);
  });
});

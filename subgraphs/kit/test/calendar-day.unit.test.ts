import { describe, expect, it } from 'vitest';
import { calendarDay } from '../src/calendar-day.ts';

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

import { describe, expect, it } from 'vitest';
import { checkChangeDate, earliestChangeDate, isCalendarDate, localDate, periodsView, rateOn } from '../src/domain/vat-schedule.ts';

// Romania: 19% until 31 July 2025, 21% from 1 August 2025; a further change scheduled
const periods = [
  { validFrom: '2026-01-01', rate: '22' },
  { validFrom: null, rate: '19' },
  { validFrom: '2025-08-01', rate: '21' },
];

describe('the VAT rate over time', () => {
  it.each([
    ['2020-01-01', '19'],
    ['2025-07-31', '19'],
    ['2025-08-01', '21'],
    ['2025-12-31', '21'],
    ['2026-01-01', '22'],
    ['2030-06-15', '22'],
  ])('on %s is %s', (date, rate) => {
    expect(rateOn(periods, date)).toBe(rate);
  });

  it('has no rate before a variant whose first period starts on a date', () => {
    expect(rateOn([{ validFrom: '2025-08-01', rate: '21' }], '2025-07-31')).toBeNull();
  });

  it('shows the periods oldest first, each ending where the next starts', () => {
    expect(periodsView(periods)).toEqual([
      { validFrom: null, rate: '19', validUntil: '2025-08-01' },
      { validFrom: '2025-08-01', rate: '21', validUntil: '2026-01-01' },
      { validFrom: '2026-01-01', rate: '22', validUntil: null },
    ]);
  });
});

describe("a sale's date", () => {
  it('is the calendar day in the store, not in UTC', () => {
    const lateEvening = new Date('2025-07-31T21:30:00Z'); // 00:30 on 1 August in Bucharest (UTC+3)
    expect(localDate(lateEvening, 'Europe/Bucharest')).toBe('2025-08-01');
    expect(localDate(lateEvening, 'UTC')).toBe('2025-07-31');
    expect(localDate(lateEvening, 'America/New_York')).toBe('2025-07-31');
    expect(rateOn(periods, localDate(lateEvening, 'Europe/Bucharest'))).toBe('21');
  });

  it('refuses an unknown timezone', () => {
    expect(() => localDate(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('scheduling a change', () => {
  it('starts no earlier than the latest "today" among the stores', () => {
    const now = new Date('2025-07-31T22:30:00Z'); // 1 Aug in Bucharest, 31 Jul in New York
    expect(earliestChangeDate(['America/New_York', 'Europe/Bucharest'], now)).toBe('2025-08-01');
    expect(earliestChangeDate(['America/New_York'], now)).toBe('2025-07-31');
    expect(earliestChangeDate([], now)).toBe('2025-07-31');
  });

  it.each([
    ['2025-08-01', null],
    ['2026-02-01', null],
    ['2025-07-31', 'VAT_RATE_IN_PAST'],
    ['2025-02-30', 'INVALID_DATE'],
    ['1 Aug 2025', 'INVALID_DATE'],
  ])('from %s -> %s', (date, code) => {
    expect(checkChangeDate(date, '2025-08-01', ['validFrom'])?.code ?? null).toBe(code);
  });

  it('knows real calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2025-13-01')).toBe(false);
  });
});

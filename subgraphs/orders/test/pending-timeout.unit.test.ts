import { describe, expect, it } from 'vitest';
import { checkTimeoutMinutes, type TimeoutFacts, timesOut } from '../src/domain/pending-timeout.ts';

const placed = new Date('2026-03-10T10:00:00Z');
const at = (minutes: number) => new Date(placed.getTime() + minutes * 60_000);
const web: TimeoutFacts = { status: 'PENDING', channel: 'WEB', payOnAccount: false, paymentSeenAt: null, createdAt: placed };

describe('the pending-order timeout', () => {
  it('cancels an unpaid web order once the window has passed, not before', () => {
    expect(timesOut(web, 30, at(30))).toBe(false);
    expect(timesOut(web, 30, at(30.01))).toBe(true);
    expect(timesOut({ ...web, channel: 'MOBILE' }, 5, at(6))).toBe(true);
  });

  it.each(['POS', 'B2B', 'MARKETPLACE'] as const)('never cancels a %s order', (channel) => {
    expect(timesOut({ ...web, channel }, 30, at(24 * 60))).toBe(false);
  });

  it('never cancels an order on account, one with a payment under way, or one no longer pending', () => {
    expect(timesOut({ ...web, payOnAccount: true }, 30, at(60))).toBe(false);
    expect(timesOut({ ...web, paymentSeenAt: at(29) }, 30, at(60))).toBe(false);
    for (const status of ['CONFIRMED', 'PROCESSING', 'COMPLETED', 'CANCELLED'] as const) expect(timesOut({ ...web, status }, 30, at(60))).toBe(false);
  });

  it('never cancels in a store without a window', () => {
    expect(timesOut(web, null, at(10_000))).toBe(false);
  });

  it.each([
    [null, null],
    [1, null],
    [10080, null],
    [0, 'INVALID_TIMEOUT'],
    [10081, 'INVALID_TIMEOUT'],
    [1.5, 'INVALID_TIMEOUT'],
  ])('a window of %s minutes -> %s', (minutes, code) => {
    expect(checkTimeoutMinutes(minutes, ['m'])?.code ?? null).toBe(code);
  });
});

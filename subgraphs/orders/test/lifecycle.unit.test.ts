import { describe, expect, it } from 'vitest';
import { decideTransition, ORDER_STATUSES, type OrderStatus, transitionEventName } from '../src/domain/lifecycle.ts';

/** The whole table, spelled out so a change to the machine has to change this test too. */
const ALLOWED: [OrderStatus, OrderStatus][] = [
  ['PENDING', 'CONFIRMED'],
  ['PENDING', 'CANCELLED'],
  ['CONFIRMED', 'PROCESSING'],
  ['CONFIRMED', 'CANCELLED'],
  ['PROCESSING', 'COMPLETED'],
  ['PROCESSING', 'CANCELLED'],
];

const pairs = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));

describe('the order state machine', () => {
  it.each(pairs)('%s -> %s', (from, to) => {
    const expected = from === to ? 'noop' : ALLOWED.some(([f, t]) => f === from && t === to) ? 'apply' : 'invalid';
    expect(decideTransition(from, to)).toBe(expected);
  });

  it('has no way out of COMPLETED or CANCELLED', () => {
    for (const to of ORDER_STATUSES) {
      expect(decideTransition('COMPLETED', to)).not.toBe('apply');
      expect(decideTransition('CANCELLED', to)).not.toBe('apply');
    }
  });

  it('names events after the target status', () => {
    expect(transitionEventName('CANCELLED')).toBe('cancelled');
    expect(transitionEventName('PROCESSING')).toBe('processing');
  });
});

import { describe, expect, it } from 'vitest';
import { availableCredit, canMove, decideReservation, type ProfileStanding, type ReservationState } from '../src/domain/reservation.ts';

const MEDIUM: ProfileStanding = { tier: 'MEDIUM', limit: '5000', currency: 'RON' };

describe('availableCredit', () => {
  it('is the limit minus what is held', () => {
    expect(availableCredit('5000', '1234.56').toFixed(2)).toBe('3765.44');
  });
  it('never goes below zero (a limit lowered under existing holds)', () => {
    expect(availableCredit('1000', '1500').toFixed(2)).toBe('0.00');
  });
  it('is exact in decimals', () => {
    expect(availableCredit('0.3', '0.1').toFixed()).toBe('0.2');
  });
});

describe('decideReservation', () => {
  it('holds an amount that fits, up to the last cent', () => {
    expect(decideReservation(MEDIUM, '0', '5000.00', 'RON')).toEqual({ state: 'HELD', reason: null });
    expect(decideReservation(MEDIUM, '4000', '1000', 'RON')).toEqual({ state: 'HELD', reason: null });
  });
  it('rejects one cent over what is available', () => {
    expect(decideReservation(MEDIUM, '4000', '1000.01', 'RON')).toEqual({ state: 'REJECTED', reason: 'OVER_LIMIT' });
    expect(decideReservation(MEDIUM, '0', '5000.01', 'RON')).toEqual({ state: 'REJECTED', reason: 'OVER_LIMIT' });
  });
  it('rejects without a profile', () => {
    expect(decideReservation(null, '0', '1', 'RON')).toEqual({ state: 'REJECTED', reason: 'NO_CREDIT_PROFILE' });
  });
  it('rejects a BLOCKED customer, even for an amount that would fit', () => {
    expect(decideReservation({ tier: 'BLOCKED', limit: '1000', currency: 'RON' }, '0', '1', 'RON')).toEqual({
      state: 'REJECTED',
      reason: 'CREDIT_BLOCKED',
    });
  });
  it('rejects an order in another currency than the profile', () => {
    expect(decideReservation(MEDIUM, '0', '1', 'EUR')).toEqual({ state: 'REJECTED', reason: 'CURRENCY_MISMATCH' });
  });
  it('names the most basic reason first', () => {
    expect(decideReservation({ tier: 'BLOCKED', limit: '0', currency: 'RON' }, '0', '10', 'EUR').reason).toBe('CREDIT_BLOCKED');
    expect(decideReservation(MEDIUM, '5000', '10', 'EUR').reason).toBe('CURRENCY_MISMATCH');
  });
});

describe('reservation moves', () => {
  const states: ReservationState[] = ['HELD', 'RELEASED', 'CONSUMED', 'REJECTED'];
  it('HELD moves to RELEASED or CONSUMED, CONSUMED to RELEASED; nothing else moves', () => {
    const allowed = states.flatMap((from) => states.filter((to) => canMove(from, to)).map((to) => `${from}->${to}`));
    expect(allowed).toEqual(['HELD->RELEASED', 'HELD->CONSUMED', 'CONSUMED->RELEASED']);
  });
});

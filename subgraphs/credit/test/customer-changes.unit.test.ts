import { describe, expect, it } from 'vitest';
import { type MergingProfile, profileKeptOnMerge } from '../src/domain/customer-changes.ts';

const profile = (tier: MergingProfile['tier'], limit: string, currency = 'RON'): MergingProfile => ({ tier, limit, currency });

describe('the profile a survivor keeps after a merge', () => {
  it('is the one there is, or none', () => {
    expect(profileKeptOnMerge(null, null)).toBeNull();
    expect(profileKeptOnMerge(profile('HIGH', '100000'), null)).toBe('survivor');
    expect(profileKeptOnMerge(null, profile('LOW', '2000'))).toBe('merged');
  });

  it('is the more cautious one: the lower tier, whatever the limits', () => {
    expect(profileKeptOnMerge(profile('PREMIUM', '240000'), profile('BLOCKED', '0'))).toBe('merged');
    expect(profileKeptOnMerge(profile('LOW', '9000'), profile('MEDIUM', '5000'))).toBe('survivor');
    expect(profileKeptOnMerge(profile('MEDIUM', '5000', 'EUR'), profile('LOW', '9000', 'RON'))).toBe('merged');
  });

  it('in the same tier, the lower limit when the currencies compare; else the survivor its own', () => {
    expect(profileKeptOnMerge(profile('MEDIUM', '50000.00'), profile('MEDIUM', '49999.99'))).toBe('merged');
    expect(profileKeptOnMerge(profile('MEDIUM', '40000'), profile('MEDIUM', '49999.99'))).toBe('survivor');
    expect(profileKeptOnMerge(profile('MEDIUM', '40000'), profile('MEDIUM', '40000'))).toBe('survivor');
    expect(profileKeptOnMerge(profile('MEDIUM', '40000', 'RON'), profile('MEDIUM', '100', 'EUR'))).toBe('survivor');
  });
});

import { DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { assessCredit, creditLimit, creditScore, explainFactors, FACTORS, type FactorPoints, riskTier } from '../src/domain/scoring.ts';

const FULL: FactorPoints = { registry: 15, financials: 30, behaviour: 25, insolvency: 20, litigation: 10 };
const NONE: FactorPoints = { registry: 0, financials: 0, behaviour: 0, insolvency: 0, litigation: 0 };

function codesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.errors.map((e) => `${e.code} ${e.field?.join('.')}`);
    throw error;
  }
  return [];
}

describe('the score', () => {
  it('has five parts whose maxima add up to 100', () => {
    expect(FACTORS.map((f) => [f.key, f.maxPoints])).toEqual([
      ['registry', 15],
      ['financials', 30],
      ['behaviour', 25],
      ['insolvency', 20],
      ['litigation', 10],
    ]);
    expect(creditScore(FULL)).toBe(100);
    expect(creditScore(NONE)).toBe(0);
  });

  it('is the sum of the points', () => {
    expect(creditScore({ registry: 15, financials: 24, behaviour: 20, insolvency: 20, litigation: 8 })).toBe(87);
    expect(creditScore({ registry: 10, financials: 12, behaviour: 10, insolvency: 10, litigation: 5 })).toBe(47);
  });
});

describe('the risk tier', () => {
  it.each([
    [0, 'BLOCKED'],
    [29, 'BLOCKED'],
    [30, 'LOW'],
    [49, 'LOW'],
    [50, 'MEDIUM'],
    [69, 'MEDIUM'],
    [70, 'HIGH'],
    [84, 'HIGH'],
    [85, 'PREMIUM'],
    [100, 'PREMIUM'],
  ])('score %i is %s', (score, tier) => {
    expect(riskTier(score)).toBe(tier);
  });
});

describe('the limit', () => {
  it('is the tier share of annual revenue', () => {
    expect(creditLimit('LOW', '100000').toFixed()).toBe('2000');
    expect(creditLimit('MEDIUM', '100000').toFixed()).toBe('5000');
    expect(creditLimit('HIGH', '100000').toFixed()).toBe('8000');
    expect(creditLimit('PREMIUM', '100000').toFixed()).toBe('10000');
  });

  it('rounds down to a whole 100, never up, exactly (no floats)', () => {
    expect(creditLimit('MEDIUM', '101999.99').toFixed()).toBe('5000');
    expect(creditLimit('MEDIUM', '102000').toFixed()).toBe('5100');
    expect(creditLimit('LOW', '4999.99').toFixed()).toBe('0');
  });

  it('is capped per tier', () => {
    expect(creditLimit('LOW', '500000').toFixed()).toBe('10000');
    expect(creditLimit('LOW', '100000000').toFixed()).toBe('10000');
    expect(creditLimit('MEDIUM', '100000000').toFixed()).toBe('50000');
    expect(creditLimit('HIGH', '100000000').toFixed()).toBe('150000');
    expect(creditLimit('PREMIUM', '100000000').toFixed()).toBe('300000');
    expect(creditLimit('PREMIUM', '2999999').toFixed()).toBe('299900');
  });

  it('is zero when BLOCKED, whatever the revenue', () => {
    expect(creditLimit('BLOCKED', '99999999999').toFixed()).toBe('0');
  });

  it('is zero without revenue', () => {
    expect(creditLimit('PREMIUM', '0').toFixed()).toBe('0');
  });
});

describe('assessCredit', () => {
  it('derives score, tier and limit, here for the demo companies', () => {
    const carpatica = assessCredit({
      factors: { registry: 15, financials: 24, behaviour: 20, insolvency: 20, litigation: 8 },
      annualRevenue: '2400000.00',
    });
    expect([carpatica.score, carpatica.tier, carpatica.limit.toFixed()]).toEqual([87, 'PREMIUM', '240000']);
    const dunarea = assessCredit({
      factors: { registry: 10, financials: 12, behaviour: 10, insolvency: 10, litigation: 5 },
      annualRevenue: '350000.00',
    });
    expect([dunarea.score, dunarea.tier, dunarea.limit.toFixed()]).toEqual([47, 'LOW', '7000']);
    const risc = assessCredit({ factors: { registry: 5, financials: 5, behaviour: 5, insolvency: 0, litigation: 0 }, annualRevenue: '90000.00' });
    expect([risc.score, risc.tier, risc.limit.toFixed()]).toEqual([15, 'BLOCKED', '0']);
  });

  it('accepts every part at 0 and at its maximum', () => {
    expect(assessCredit({ factors: FULL, annualRevenue: '1' }).score).toBe(100);
    expect(assessCredit({ factors: NONE, annualRevenue: '0' }).tier).toBe('BLOCKED');
  });

  it('reports every part out of range, negative or fractional, at once', () => {
    expect(
      codesOf(() =>
        assessCredit({ factors: { registry: 16, financials: -1, behaviour: 2.5, insolvency: 21, litigation: 11 }, annualRevenue: '100' }),
      ),
    ).toEqual([
      'INVALID_FACTOR input.factors.registry',
      'INVALID_FACTOR input.factors.financials',
      'INVALID_FACTOR input.factors.behaviour',
      'INVALID_FACTOR input.factors.insolvency',
      'INVALID_FACTOR input.factors.litigation',
    ]);
  });

  it.each(['-1', '1.001', 'abc', '', '1e5', '100000000000000'])('refuses the annual revenue %j', (annualRevenue) => {
    expect(codesOf(() => assessCredit({ factors: FULL, annualRevenue }))).toEqual(['INVALID_AMOUNT input.annualRevenue']);
  });

  it('keeps trimmed notes, drops blank ones and refuses notes over 500 characters', () => {
    const assessed = assessCredit({ factors: FULL, annualRevenue: '10', notes: { registry: '  checked ONRC  ', behaviour: '   ' } });
    expect(assessed.notes).toEqual({ registry: 'checked ONRC', financials: null, behaviour: null, insolvency: null, litigation: null });
    expect(codesOf(() => assessCredit({ factors: FULL, annualRevenue: '10', notes: { litigation: 'x'.repeat(501) } }))).toEqual([
      'NOTE_TOO_LONG input.notes.litigation',
    ]);
  });
});

describe('explainFactors', () => {
  it('explains each part with its points, its maximum and why, plus the reviewer note', () => {
    const factors = explainFactors(
      { registry: 15, financials: 18, behaviour: 5, insolvency: 0, litigation: 10 },
      { behaviour: 'two invoices 60 days late' },
      '350000',
      'RON',
    );
    expect(factors.map((f) => [f.name, f.points, f.maxPoints])).toEqual([
      ['Tax and registry status', 15, 15],
      ['Financial results', 18, 30],
      ['Payment behaviour with us', 5, 25],
      ['Insolvency records', 0, 20],
      ['Litigation', 10, 10],
    ]);
    expect(factors[0]!.explanation).toBe('15 of 15 points: active in the trade register, VAT-registered, filings up to date.');
    expect(factors[1]!.explanation).toBe('18 of 30 points: profitable or near break-even, with adequate equity; annual revenue 350000.00 RON.');
    expect(factors[2]!.explanation).toBe('5 of 25 points: frequent or long delays on our invoices; two invoices 60 days late.');
    expect(factors[3]!.explanation).toBe('0 of 20 points: open insolvency proceedings.');
  });
});

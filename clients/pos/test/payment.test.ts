import { describe, expect, it } from 'vitest';
import { parse } from '../src/lib/decimal.ts';
import { cardTender, cashSuggestions, cashTender, change, remaining, type Tender } from '../src/lib/payment.ts';

const due = parse('89.90');

describe('tenders', () => {
  it('cash above what is owed gives change', () => {
    const r = cashTender(due, [], parse('100'));
    expect(r.ok && r.tender).toEqual({ method: 'CASH', amount: due, tendered: parse('100') });
    const tenders = r.ok ? [r.tender] : [];
    expect(remaining(due, tenders)).toBe(0n);
    expect(change(tenders)).toBe(parse('10.10'));
  });
  it('split: card for part, cash for the rest', () => {
    const card = cardTender(due, [], parse('50'));
    expect(card.ok).toBe(true);
    const tenders: Tender[] = card.ok ? [card.tender] : [];
    expect(remaining(due, tenders)).toBe(parse('39.90'));
    const cash = cashTender(due, tenders, parse('40'));
    if (cash.ok) tenders.push(cash.tender);
    expect(remaining(due, tenders)).toBe(0n);
    expect(change(tenders)).toBe(parse('0.10'));
  });
  it('refuses a card above what is left, amounts with more than 2 decimals, and paying a paid sale', () => {
    expect(cardTender(due, [], parse('90')).ok).toBe(false);
    expect(cashTender(due, [], parse('10.005')).ok).toBe(false);
    const paid: Tender[] = [{ method: 'CARD', amount: due, tendered: null }];
    expect(cashTender(due, paid, parse('5')).ok).toBe(false);
  });
  it('suggests the exact amount and round notes above it', () => {
    expect(cashSuggestions(parse('89.90'))).toEqual([parse('89.90'), parse('90'), parse('100'), parse('200')]);
  });
});

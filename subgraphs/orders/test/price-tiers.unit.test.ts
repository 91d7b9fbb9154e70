import { Decimal } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { checkSegment, normalizeSegment, quantitiesByVariant, resolveUnitPrice, tierFor, validateTiers } from '../src/domain/price-tiers.ts';

const tier = (minQuantity: string, unitPrice: string) => ({ minQuantity: new Decimal(minQuantity), unitPrice: new Decimal(unitPrice) });
const d = (v: string) => new Decimal(v);

describe('quantity tiers', () => {
  const tiers = [tier('10', '8.50'), tier('50', '7.90'), tier('2.5', '9.50')];

  it.each([
    ['1', null],
    ['2.499', null],
    ['2.5', '9.5'],
    ['9.999', '9.5'],
    ['10', '8.5'],
    ['49', '8.5'],
    ['50', '7.9'],
    ['1000', '7.9'],
  ])('%s reaches %s', (quantity, price) => {
    expect(tierFor(tiers, d(quantity))?.unitPrice.toFixed() ?? null).toBe(price);
  });

  it('are checked and sorted', () => {
    const { tiers: valid, errors } = validateTiers(
      [
        { minQuantity: '10', unitPrice: '8.5' },
        { minQuantity: '2', unitPrice: '9' },
      ],
      ['tiers'],
    );
    expect(errors).toEqual([]);
    expect(valid.map((t) => t.minQuantity.toFixed())).toEqual(['2', '10']);
  });

  it('refuses bad quantities and prices, and a quantity twice', () => {
    const { errors } = validateTiers(
      [
        { minQuantity: '0', unitPrice: '1' },
        { minQuantity: '1.0001', unitPrice: '1' },
        { minQuantity: '5', unitPrice: '-1' },
        { minQuantity: '5', unitPrice: '2' },
        { minQuantity: '5.000', unitPrice: '3' },
      ],
      ['tiers'],
    );
    expect(errors.map((e) => [e.code, e.field?.slice(1)])).toEqual([
      ['INVALID_QUANTITY', ['0', 'minQuantity']],
      ['INVALID_QUANTITY', ['1', 'minQuantity']],
      ['INVALID_PRICE', ['2', 'unitPrice']],
      ['DUPLICATE_TIER', ['4', 'minQuantity']],
    ]);
  });

  it('refuses more than 20', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ minQuantity: String(i + 1), unitPrice: '1' }));
    expect(validateTiers(many, ['tiers']).errors.map((e) => e.code)).toEqual(['TOO_MANY_TIERS']);
  });
});

describe('which price wins', () => {
  const pricing = {
    listPrice: d('10'),
    tiers: [tier('10', '9')],
    segment: { priceListId: 'wholesale', tiers: [tier('50', '7'), tier('1', '8.50')] },
  };

  it('the segment list where it has a tier reached', () => {
    expect(resolveUnitPrice(pricing, d('1'))).toEqual({ unitPrice: d('8.50'), source: 'SEGMENT', priceListId: 'wholesale' });
    expect(resolveUnitPrice(pricing, d('60')).unitPrice.toFixed()).toBe('7');
  });

  it('then the default tiers, then the list price', () => {
    const onlyBulk = { ...pricing, segment: { priceListId: 'wholesale', tiers: [tier('50', '7')] } };
    expect(resolveUnitPrice(onlyBulk, d('12'))).toEqual({ unitPrice: d('9'), source: 'TIER', priceListId: null });
    expect(resolveUnitPrice(onlyBulk, d('3'))).toEqual({ unitPrice: d('10'), source: 'LIST', priceListId: null });
    expect(resolveUnitPrice({ ...pricing, segment: null }, d('3'))).toEqual({ unitPrice: d('10'), source: 'LIST', priceListId: null });
  });

  it('chooses the tier by the variant’s total over the order', () => {
    const totals = quantitiesByVariant([
      { variantId: 'a', quantity: d('6') },
      { variantId: 'b', quantity: d('1') },
      { variantId: 'a', quantity: d('4.5') },
    ]);
    expect(totals.get('a')?.toFixed()).toBe('10.5');
    expect(resolveUnitPrice({ ...pricing, segment: null }, totals.get('a')!).unitPrice.toFixed()).toBe('9');
  });
});

describe('segments', () => {
  it('are names compared upper-case', () => {
    expect(normalizeSegment(' wholesale ')).toBe('WHOLESALE');
    expect(checkSegment('STAFF_2', ['s'])).toBeNull();
    expect(checkSegment('TWO WORDS', ['s'])?.code).toBe('INVALID_SEGMENT');
    expect(checkSegment('', ['s'])?.code).toBe('INVALID_SEGMENT');
  });
});

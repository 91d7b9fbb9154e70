import { describe, expect, it } from 'vitest';
import { checkBarcode, checkPrice, checkSku, checkVatRate, duplicatesWithin, normalizeSku, validateVariant } from '../src/domain/catalog.ts';

const codeOf = (error: { code: string } | null) => error?.code ?? null;

describe('catalog fields', () => {
  it('folds SKUs to one spelling', () => {
    expect(normalizeSku('  demo-001-s ')).toBe('DEMO-001-S');
  });

  it.each([
    ['DEMO-001-S', null],
    ['A', null],
    ['AB.CD_EF/12', null],
    ['-LEADING', 'INVALID_SKU'],
    ['WITH SPACE', 'INVALID_SKU'],
    ['', 'INVALID_SKU'],
    ['X'.repeat(65), 'INVALID_SKU'],
  ])('SKU %j -> %s', (sku, code) => {
    expect(codeOf(checkSku(sku, ['sku']))).toBe(code);
  });

  it.each([
    [null, null],
    ['5901234123457', null],
    ['5901234123450', 'INVALID_BARCODE'],
    ['590123412345', 'INVALID_BARCODE'],
  ])('barcode %j -> %s', (barcode, code) => {
    expect(codeOf(checkBarcode(barcode, ['barcode']))).toBe(code);
  });

  it.each([
    ['0', null],
    ['89.9', null],
    ['0.0125', null],
    ['1000000000', null],
    ['1000000000.01', 'INVALID_PRICE'],
    ['-1', 'INVALID_PRICE'],
    ['1.00001', 'INVALID_PRICE'],
    ['abc', 'INVALID_PRICE'],
  ])('price %j -> %s', (price, code) => {
    expect(codeOf(checkPrice(price, ['price']))).toBe(code);
  });

  it.each([
    ['0', null],
    ['21', null],
    ['11.5', null],
    ['99.99', null],
    ['100', 'INVALID_VAT_RATE'],
    ['-5', 'INVALID_VAT_RATE'],
    ['9.125', 'INVALID_VAT_RATE'],
  ])('VAT rate %j -> %s', (rate, code) => {
    expect(codeOf(checkVatRate(rate, ['vatRate']))).toBe(code);
  });
});

describe('a new variant', () => {
  it('is normalized: SKU upper-case, name from the product, decimals plain', () => {
    const { variant, errors } = validateVariant({ sku: 'mug-1', price: '39.00', vatRate: '21.0', barcode: ' 5901234123457 ' }, ' Mug ', ['v']);
    expect(errors).toEqual([]);
    expect(variant).toEqual({ sku: 'MUG-1', barcode: '5901234123457', name: 'Mug', price: '39', vatRate: '21' });
  });

  it('reports every problem at its field', () => {
    const { variant, errors } = validateVariant({ sku: ' ', price: '-1', vatRate: '100', barcode: '123', name: 'x'.repeat(201) }, 'Mug', [
      'input',
      'variants',
      '0',
    ]);
    expect(variant).toBeNull();
    expect(errors.map((e) => [e.code, e.field?.at(-1)])).toEqual([
      ['INVALID_SKU', 'sku'],
      ['INVALID_BARCODE', 'barcode'],
      ['NAME_TOO_LONG', 'name'],
      ['INVALID_PRICE', 'price'],
      ['INVALID_VAT_RATE', 'vatRate'],
    ]);
  });

  it('finds a SKU or a barcode twice in one request', () => {
    const a = { sku: 'A', barcode: '5901234123457', name: 'a', price: '1', vatRate: '21' };
    const errors = duplicatesWithin([a, { ...a, barcode: null }, { ...a, sku: 'B' }], (i, name) => [String(i), name]);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ['DUPLICATE_SKU', ['1', 'sku']],
      ['DUPLICATE_BARCODE', ['2', 'barcode']],
    ]);
  });
});

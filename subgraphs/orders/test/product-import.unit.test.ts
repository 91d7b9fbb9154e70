import { DomainError, detectDelimiter, headerKey } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { checkRow, missingForNew, parseProductCsv, repeatedSkus, variantChanges } from '../src/domain/product-import.ts';

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.errors[0]?.code;
    throw error;
  }
  return null;
};

describe('reading a catalog file', () => {
  it('knows English and Romanian headers, any case, accents and punctuation', () => {
    expect(headerKey('Cotă TVA %')).toBe('cotatva');
    const parsed = parseProductCsv('Cod;Denumire;Varianta;Cod de bare;Preț;Cotă TVA;Culoare\nmug-1;Cană;Mare;5901234123457;39,90;21%;roșu\n');
    expect(parsed.ignoredColumns).toEqual(['Culoare']);
    expect(parsed.rows).toEqual([
      {
        line: 2,
        extraCells: false,
        cells: { sku: 'mug-1', product: 'Cană', variant: 'Mare', barcode: '5901234123457', price: '39,90', vatRate: '21%' },
      },
    ]);
    expect(checkRow(parsed.rows[0]!, parsed.headers)).toEqual({
      ok: true,
      row: { line: 2, sku: 'MUG-1', productName: 'Cană', variantName: 'Mare', barcode: '5901234123457', price: '39.9', vatRate: '21' },
    });
  });

  it('detects the separator from the header', () => {
    expect(detectDelimiter('sku,name;x\n')).toBe(',');
    expect(detectDelimiter('sku;name;"a,b,c"\n')).toBe(';');
    expect(detectDelimiter('sku\tname\n')).toBe('\t');
  });

  it.each([
    ['', 'IMPORT_EMPTY'],
    ['sku,name\n', 'IMPORT_EMPTY'],
    ['name,price\nMug,1\n', 'MISSING_COLUMN'],
    ['sku,cod\nA,B\n', 'DUPLICATE_COLUMN'],
    ['sku,name\n"A,Mug\n', 'INVALID_CSV'],
    [`sku\n${'A\n'.repeat(1001)}`, 'IMPORT_TOO_LARGE'],
    [`sku,name\nA,${'x'.repeat(1_000_001)}\n`, 'IMPORT_TOO_LARGE'],
  ])('refuses the whole file %#: %s', (text, code) => {
    expect(codeOf(() => parseProductCsv(text))).toBe(code);
  });

  it('counts lines as the spreadsheet does, past blank lines and quoted line breaks', () => {
    const parsed = parseProductCsv('sku,name\n\nA,"two\nlines"\nB,b\n');
    expect(parsed.rows.map((r) => r.line)).toEqual([3, 5]);
  });
});

describe('one row', () => {
  const headers = { sku: 'sku', barcode: 'ean', price: 'price', vatRate: 'vat', product: 'product' };
  const row = (cells: Record<string, string>, extraCells = false) => ({ line: 7, cells, extraCells });

  it('reports every bad cell with its column', () => {
    const outcome = checkRow(row({ sku: 'bad sku', barcode: '123', price: 'ten', vatRate: '120' }, true), headers);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems.map((p) => [p.code, p.column])).toEqual([
      ['EXTRA_CELLS', null],
      ['INVALID_SKU', 'sku'],
      ['INVALID_BARCODE', 'ean'],
      ['INVALID_PRICE', 'price'],
      ['INVALID_VAT_RATE', 'vat'],
    ]);
  });

  it('needs a product, a price and a VAT rate for a new SKU only', () => {
    const outcome = checkRow(row({ sku: 'NEW-1' }), headers);
    if (!outcome.ok) throw new Error('expected a valid row');
    expect(missingForNew(outcome.row, headers).map((p) => p.code)).toEqual(['PRODUCT_NAME_REQUIRED', 'PRICE_REQUIRED', 'VAT_RATE_REQUIRED']);
  });

  it('changes only what the row gives and differs', () => {
    const outcome = checkRow(row({ sku: 'A', price: '39.90' }), headers);
    if (!outcome.ok) throw new Error('expected a valid row');
    expect(variantChanges({ name: 'Mug', barcode: null, price: '39.9000' }, outcome.row)).toEqual({});
    expect(variantChanges({ name: 'Mug', barcode: null, price: '35' }, outcome.row)).toEqual({ price: '39.9' });
  });

  it('refuses the second row of a SKU', () => {
    const rows = ['a', 'B', 'A'].map((sku, i) => {
      const outcome = checkRow({ line: i + 2, cells: { sku }, extraCells: false }, headers);
      if (!outcome.ok) throw new Error('expected a valid row');
      return outcome.row;
    });
    expect([...repeatedSkus(rows, headers).values()].map((p) => [p.line, p.code])).toEqual([[4, 'DUPLICATE_SKU']]);
  });
});

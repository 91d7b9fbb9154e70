/**
 * The catalog from a spreadsheet: one variant per row, found by its SKU. A row with a SKU the
 * catalog has updates that variant's name, barcode and list price where the row gives them; a
 * new SKU becomes a variant of the product the row names (an existing product with exactly
 * that name, or a new one shared by every row naming it). VAT rates are not changed by an
 * import: a rate change has a start date (scheduleVatRate), so a row whose rate differs from
 * today's is refused rather than guessed at.
 */
import { type CsvRow, Decimal, type ParsedCsv, parseCsv, type UserError } from '@comanda/kit';
import { checkBarcode, checkName, checkPrice, checkSku, checkVatRate, normalizeSku } from './catalog.ts';

export type ProductColumn = 'sku' | 'product' | 'variant' | 'barcode' | 'price' | 'vatRate';

/** Header spellings (headerKey form), English and Romanian. */
const ALIASES: Record<ProductColumn, string[]> = {
  sku: ['sku', 'cod', 'codprodus', 'codarticol', 'code', 'itemcode', 'articlecode'],
  product: ['product', 'productname', 'produs', 'denumire', 'denumireprodus', 'name', 'nume'],
  variant: ['variant', 'variantname', 'varianta', 'denumirevarianta', 'option'],
  barcode: ['barcode', 'ean', 'ean13', 'codbare', 'coddebare', 'gtin'],
  price: ['price', 'listprice', 'pret', 'pretlista', 'pretvanzare', 'pretunitar'],
  vatRate: ['vat', 'vatrate', 'tva', 'cotatva', 'taxrate'],
};

export function parseProductCsv(text: string): ParsedCsv<ProductColumn> {
  return parseCsv(text, ALIASES, { column: 'sku', hint: 'SKU (sku or cod)' });
}

export interface RowProblem {
  line: number;
  code: string;
  message: string;
  /** the file's header of the cell at fault, when one is */
  column: string | null;
}

/** A row's cells, checked and normalized; what is missing stays null (an update leaves it alone). */
export interface ImportRow {
  line: number;
  sku: string;
  productName: string | null;
  variantName: string | null;
  barcode: string | null;
  price: string | null;
  vatRate: string | null;
}

export type RowOutcome = { ok: true; row: ImportRow } | { ok: false; problems: RowProblem[] };

/** "89,90" is how a Romanian spreadsheet writes 89.90; "21%" is a rate of 21. */
function number(text: string | undefined, percent: boolean): string | null {
  if (text === undefined) return null;
  let value = text.trim();
  if (percent) value = value.replace(/\s*%$/, '');
  if (/^\d+,\d+$/.test(value)) value = value.replace(',', '.');
  return value;
}

const plain = (value: string) => new Decimal(value).toFixed();

/** Pure: one row checked on its own (the catalog decides later what it needs for a new SKU). */
export function checkRow(row: CsvRow<ProductColumn>, headers: Partial<Record<ProductColumn, string>>): RowOutcome {
  const problems: RowProblem[] = [];
  const add = (error: UserError | null, column: ProductColumn | null) => {
    if (error) problems.push({ line: row.line, code: error.code, message: error.message, column: column ? (headers[column] ?? null) : null });
  };
  const { cells } = row;
  if (row.extraCells)
    problems.push({ line: row.line, code: 'EXTRA_CELLS', message: 'the row has more cells than the header has columns', column: null });
  const sku = normalizeSku(cells.sku ?? '');
  add(checkSku(sku, []), 'sku');
  const barcode = cells.barcode?.trim() || null;
  add(checkBarcode(barcode, []), 'barcode');
  const productName = cells.product?.trim() || null;
  if (productName) add(checkName(productName, []), 'product');
  const variantName = cells.variant?.trim() || null;
  if (variantName) add(checkName(variantName, []), 'variant');
  const price = number(cells.price, false);
  if (price !== null) add(checkPrice(price, []), 'price');
  const vatRate = number(cells.vatRate, true);
  if (vatRate !== null) add(checkVatRate(vatRate, []), 'vatRate');
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    row: {
      line: row.line,
      sku,
      productName,
      variantName,
      barcode,
      price: price === null ? null : plain(price),
      vatRate: vatRate === null ? null : plain(vatRate),
    },
  };
}

/** The second and later rows of a SKU in one file are refused: which one should win is not ours to guess. */
export function repeatedSkus(rows: readonly ImportRow[], headers: Partial<Record<ProductColumn, string>>): Map<number, RowProblem> {
  const first = new Map<string, number>();
  const problems = new Map<number, RowProblem>();
  for (const row of rows) {
    const earlier = first.get(row.sku);
    if (earlier === undefined) first.set(row.sku, row.line);
    else
      problems.set(row.line, {
        line: row.line,
        code: 'DUPLICATE_SKU',
        message: `SKU ${row.sku} is already on row ${earlier}`,
        column: headers.sku ?? null,
      });
  }
  return problems;
}

/** The fields an existing variant takes from a row: only what the row gives and differs. */
export interface VariantState {
  name: string;
  barcode: string | null;
  price: string;
}

export function variantChanges(current: VariantState, row: ImportRow): Partial<VariantState> {
  const changes: Partial<VariantState> = {};
  if (row.variantName !== null && row.variantName !== current.name) changes.name = row.variantName;
  if (row.barcode !== null && row.barcode !== current.barcode) changes.barcode = row.barcode;
  if (row.price !== null && !new Decimal(row.price).eq(current.price)) changes.price = row.price;
  return changes;
}

/** What a new SKU's row lacks to become a variant. */
export function missingForNew(row: ImportRow, headers: Partial<Record<ProductColumn, string>>): RowProblem[] {
  const problems: RowProblem[] = [];
  const need = (value: string | null, code: string, message: string, column: ProductColumn) => {
    if (value === null) problems.push({ line: row.line, code, message, column: headers[column] ?? null });
  };
  need(row.productName, 'PRODUCT_NAME_REQUIRED', `SKU ${row.sku} is new: the row needs a product name`, 'product');
  need(row.price, 'PRICE_REQUIRED', `SKU ${row.sku} is new: the row needs a price`, 'price');
  need(row.vatRate, 'VAT_RATE_REQUIRED', `SKU ${row.sku} is new: the row needs a VAT rate`, 'vatRate');
  return problems;
}

/** Product names match regardless of case and surrounding blanks. */
export function productKey(name: string): string {
  return name.trim().toLowerCase();
}

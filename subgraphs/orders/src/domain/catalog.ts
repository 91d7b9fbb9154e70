/**
 * The catalog's field rules without I/O: what a product name, a SKU, a barcode, a price and a
 * VAT rate may be. Uniqueness (SKU per tenant, barcode among sellable variants) needs the
 * database and is checked by the services.
 */
import { Decimal, type UserError, userError } from '@comanda/kit';
import { isValidEan13 } from './ean13.ts';

export const MAX_NAME = 200;
export const MAX_VARIANTS = 100;
const MAX_PRICE = new Decimal(1_000_000_000);
/** letters, digits and . _ - /, starting with a letter or digit; stored upper-case */
const SKU = /^[A-Z0-9][A-Z0-9._\-/]{0,63}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** SKUs compare without regard to case or surrounding blanks: "demo-001-s" is DEMO-001-S. */
export function normalizeSku(sku: string): string {
  return sku.trim().toUpperCase();
}

type Field = string[];

export function checkName(name: string, field: Field): UserError | null {
  const trimmed = name.trim();
  if (!trimmed) return userError('NAME_REQUIRED', 'a name is required', field);
  if (trimmed.length > MAX_NAME) return userError('NAME_TOO_LONG', `a name has at most ${MAX_NAME} characters`, field);
  return null;
}

export function checkSku(sku: string, field: Field): UserError | null {
  return SKU.test(sku) ? null : userError('INVALID_SKU', 'a SKU is 1 to 64 letters, digits and . _ - /, starting with a letter or digit', field);
}

/** A barcode is optional; when given it is an EAN-13 whose check digit is right. */
export function checkBarcode(barcode: string | null, field: Field): UserError | null {
  if (barcode === null) return null;
  return isValidEan13(barcode)
    ? null
    : userError('INVALID_BARCODE', `${barcode} is not an EAN-13 barcode (13 digits, the last a check digit)`, field);
}

/** A price is a plain decimal from 0 to 1,000,000,000 with at most 4 decimals (per-gram prices). */
export function checkPrice(price: string, field: Field): UserError | null {
  const text = price.trim();
  const value = DECIMAL.test(text) ? new Decimal(text) : null;
  if (!value || value.gt(MAX_PRICE) || value.decimalPlaces() > 4) {
    return userError('INVALID_PRICE', 'a price is between 0 and 1000000000 with at most 4 decimals', field);
  }
  return null;
}

/** A VAT rate in percent: 0 up to (not including) 100, at most 2 decimals. */
export function checkVatRate(rate: string, field: Field): UserError | null {
  const text = rate.trim();
  const value = DECIMAL.test(text) ? new Decimal(text) : null;
  if (!value || value.gte(100) || value.decimalPlaces() > 2)
    return userError('INVALID_VAT_RATE', 'a VAT rate is a percentage from 0 to 99.99', field);
  return null;
}

export interface VariantInput {
  sku: string;
  barcode?: string | null;
  /** defaults to the product's name */
  name?: string | null;
  price: string;
  vatRate: string;
}

export interface ValidVariant {
  sku: string;
  barcode: string | null;
  name: string;
  price: string;
  vatRate: string;
}

const plain = (value: string) => new Decimal(value.trim()).toFixed();

/** A new variant's fields, checked and normalized, or every problem with it (fields under `field`). */
export function validateVariant(input: VariantInput, productName: string, field: Field): { variant: ValidVariant | null; errors: UserError[] } {
  const sku = normalizeSku(input.sku);
  const barcode = input.barcode?.trim() || null;
  const name = input.name?.trim() || productName.trim();
  const errors = [
    checkSku(sku, [...field, 'sku']),
    checkBarcode(barcode, [...field, 'barcode']),
    input.name?.trim() ? checkName(name, [...field, 'name']) : null,
    checkPrice(input.price, [...field, 'price']),
    checkVatRate(input.vatRate, [...field, 'vatRate']),
  ].filter((e): e is UserError => e !== null);
  if (errors.length) return { variant: null, errors };
  return { variant: { sku, barcode, name, price: plain(input.price), vatRate: plain(input.vatRate) }, errors };
}

/** Two variants of one request may not share a SKU or a barcode; returns the problems at the later one. */
export function duplicatesWithin(variants: readonly (ValidVariant | null)[], field: (i: number, name: string) => Field): UserError[] {
  const errors: UserError[] = [];
  const skus = new Set<string>();
  const barcodes = new Set<string>();
  variants.forEach((v, i) => {
    if (!v) return;
    if (skus.has(v.sku)) errors.push(userError('DUPLICATE_SKU', `SKU ${v.sku} appears twice`, field(i, 'sku')));
    if (v.barcode && barcodes.has(v.barcode)) errors.push(userError('DUPLICATE_BARCODE', `barcode ${v.barcode} appears twice`, field(i, 'barcode')));
    skus.add(v.sku);
    if (v.barcode) barcodes.add(v.barcode);
  });
  return errors;
}

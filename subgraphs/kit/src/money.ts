import { Decimal as DecimalJs } from 'decimal.js';

/** Exact decimals for money and quantities; configured once, never floats. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;

export type DecimalInput = Decimal | string | number;

export function dec(value: DecimalInput): Decimal {
  return new Decimal(value);
}

/** Money is kept to 2 decimals, rounded half-up (DOMAIN.md: per line, then summed). */
export function roundMoney(value: DecimalInput): Decimal {
  return new Decimal(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** The wire form of an amount: plain notation, exactly 2 decimals for money. */
export function formatMoney(value: DecimalInput): string {
  return roundMoney(value).toFixed(2);
}

export function sum(values: readonly DecimalInput[]): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(v), new Decimal(0));
}

export interface Money {
  amount: string;
  currencyCode: string;
}

export function money(amount: DecimalInput, currencyCode: string): Money {
  return { amount: formatMoney(amount), currencyCode };
}

/** How amounts look on the wire where they are not plain 2-decimal money (kit's `money`). */
import { Decimal } from '@comanda/kit';

/** Unit prices may carry up to 4 decimals (e.g. per gram); show at least 2. */
export function unitMoney(amount: string | Decimal, currencyCode: string) {
  const value = new Decimal(amount);
  return { amount: value.decimalPlaces() <= 2 ? value.toFixed(2) : value.toFixed(), currencyCode };
}

/** Quantities, rates and list prices without trailing zeros: "21.00" is 21. */
export const plainDecimal = (value: string | Decimal) => new Decimal(value).toFixed();

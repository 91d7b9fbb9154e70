/**
 * Order totals, the one place that defines them (DOMAIN.md, Totals).
 *
 * Per line, in the store's price basis (VAT-inclusive shelf prices for POS/B2C stores,
 * net price lists for B2B stores):
 *   gross    = round2(quantity x unitPrice)               before discount
 *   total    = round2(quantity x unitPrice - discount)    what the line shows
 *   VAT-inclusive: taxAmount = round2(total x rate / (100 + rate)), netAmount = total - taxAmount
 *   net prices:    netAmount = total, taxAmount = round2(total x rate / 100)
 * Per order, each a plain sum of the rounded line amounts, so nothing drifts:
 *   subtotal      = sum of gross                 (price basis, before discounts)
 *   discountTotal = sum of discounts
 *   taxTotal      = sum of taxAmount
 *   total         = sum of netAmount + taxTotal  (what the customer owes; for VAT-inclusive
 *                   prices that is subtotal - discountTotal, for net prices that plus VAT)
 * The VAT breakdown groups lines by rate; its taxable amounts plus its tax amounts equal
 * `total` and its tax amounts equal `taxTotal`, to the cent.
 * Rounding is half-up to 2 decimals, per line, then summed.
 */
import { Decimal, type DecimalInput, roundMoney, sum } from '@comanda/kit';

export interface LineAmountsInput {
  quantity: DecimalInput;
  unitPrice: DecimalInput;
  /** percent: 21 means 21% */
  vatRate: DecimalInput;
  /** an amount off this line (promotions); 0 when none */
  discount?: DecimalInput;
}

export interface LineAmounts {
  gross: Decimal;
  discount: Decimal;
  total: Decimal;
  netAmount: Decimal;
  taxAmount: Decimal;
  vatRate: Decimal;
}

export interface VatBreakdownLine {
  rate: Decimal;
  taxableAmount: Decimal;
  taxAmount: Decimal;
}

export interface OrderAmounts {
  lines: LineAmounts[];
  subtotal: Decimal;
  discountTotal: Decimal;
  taxTotal: Decimal;
  total: Decimal;
  vatBreakdown: VatBreakdownLine[];
}

const HUNDRED = new Decimal(100);

export function lineAmounts(line: LineAmountsInput, pricesIncludeVat: boolean): LineAmounts {
  const quantity = new Decimal(line.quantity);
  const unitPrice = new Decimal(line.unitPrice);
  const vatRate = new Decimal(line.vatRate);
  const discount = roundMoney(line.discount ?? 0);
  if (quantity.lte(0)) throw new RangeError('quantity must be positive');
  if (unitPrice.isNegative() || vatRate.isNegative() || discount.isNegative()) throw new RangeError('prices, rates and discounts are never negative');
  const exact = quantity.times(unitPrice);
  if (discount.gt(exact)) throw new RangeError('a discount cannot exceed its line');
  const gross = roundMoney(exact);
  const total = roundMoney(exact.minus(discount));
  const taxAmount = pricesIncludeVat ? roundMoney(total.times(vatRate).div(HUNDRED.plus(vatRate))) : roundMoney(total.times(vatRate).div(HUNDRED));
  const netAmount = pricesIncludeVat ? total.minus(taxAmount) : total;
  return { gross, discount, total, netAmount, taxAmount, vatRate };
}

export function orderAmounts(lines: readonly LineAmountsInput[], pricesIncludeVat: boolean): OrderAmounts {
  const computed = lines.map((line) => lineAmounts(line, pricesIncludeVat));
  const byRate = new Map<string, VatBreakdownLine>();
  for (const line of computed) {
    const key = line.vatRate.toFixed();
    const entry = byRate.get(key) ?? { rate: line.vatRate, taxableAmount: new Decimal(0), taxAmount: new Decimal(0) };
    entry.taxableAmount = entry.taxableAmount.plus(line.netAmount);
    entry.taxAmount = entry.taxAmount.plus(line.taxAmount);
    byRate.set(key, entry);
  }
  const taxTotal = sum(computed.map((l) => l.taxAmount));
  return {
    lines: computed,
    subtotal: sum(computed.map((l) => l.gross)),
    discountTotal: sum(computed.map((l) => l.discount)),
    taxTotal,
    total: sum(computed.map((l) => l.netAmount)).plus(taxTotal),
    vatBreakdown: [...byRate.values()].sort((a, b) => a.rate.comparedTo(b.rate)),
  };
}

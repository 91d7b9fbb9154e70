/**
 * The cart's totals by the server's rules (docs/errors.md, orders): per line
 * total = round2(quantity x unitPrice) - discount; VAT-inclusive stores take
 * round2(total x rate / (100 + rate)) out of it, net-price stores add round2(total x rate / 100);
 * rounded per line, then summed, so the VAT breakdown adds up to the totals exactly.
 */
import { type Fixed, parse, percentOf, round2, sum, times2, vatIncluded } from './decimal.ts';

export interface PricedLine {
  quantity: string;
  unitPrice: string;
  vatRate: string;
  /** an amount off the line (not a percentage), two decimals */
  discount?: string;
}

export interface LineTotals {
  gross: Fixed;
  discount: Fixed;
  total: Fixed;
  net: Fixed;
  tax: Fixed;
}

export interface VatLine {
  rate: string;
  taxable: Fixed;
  tax: Fixed;
}

export interface Totals {
  lines: LineTotals[];
  subtotal: Fixed;
  discountTotal: Fixed;
  taxTotal: Fixed;
  total: Fixed;
  vat: VatLine[];
}

export function lineTotals(line: PricedLine, pricesIncludeVat: boolean): LineTotals {
  const gross = times2(parse(line.quantity), parse(line.unitPrice));
  const discount = round2(parse(line.discount || '0'));
  const total = gross - discount;
  const rate = parse(line.vatRate);
  const tax = pricesIncludeVat ? vatIncluded(total, rate) : percentOf(total, rate);
  const net = pricesIncludeVat ? total - tax : total;
  return { gross, discount, total, net, tax };
}

export function cartTotals(lines: PricedLine[], pricesIncludeVat: boolean): Totals {
  const computed = lines.map((line) => lineTotals(line, pricesIncludeVat));
  const byRate = new Map<string, VatLine>();
  computed.forEach((t, i) => {
    const rate = String(Number(lines[i]!.vatRate));
    const entry = byRate.get(rate) ?? { rate, taxable: 0n, tax: 0n };
    entry.taxable += t.net;
    entry.tax += t.tax;
    byRate.set(rate, entry);
  });
  const taxTotal = sum(computed.map((t) => t.tax));
  return {
    lines: computed,
    subtotal: sum(computed.map((t) => t.gross)),
    discountTotal: sum(computed.map((t) => t.discount)),
    taxTotal,
    total: sum(computed.map((t) => t.net)) + taxTotal,
    vat: [...byRate.values()].sort((a, b) => Number(b.rate) - Number(a.rate)),
  };
}

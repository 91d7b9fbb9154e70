import { Decimal, type DecimalInput, sum } from '@comanda/kit';
import { normalizeVatBreakdown, type VatLine } from './vat.ts';

/**
 * The Z report of a POS shift: what the till took, by method and VAT rate, what went back,
 * and whether the drawer holds what it should. Pure: the close service gathers the shift's
 * receipts, refunds and cash movements and freezes the result on the shift.
 *
 * Expected cash = opening float + cash sales + cash in - cash out - cash refunds. Cash sales
 * are the CASH payments as applied to the sales (the payments subgraph records the change
 * apart, so these amounts are already net of it).
 */

export const CASH = 'CASH';

export interface ZReceipt {
  total: DecimalInput;
  vatBreakdown: readonly VatLine[];
  payments: readonly { method: string; amount: DecimalInput }[];
  /** what discounts took off the sale (line and order discounts together) */
  discount: DecimalInput;
}

export interface ZRefund {
  method: string;
  amount: DecimalInput;
}

export type CashMovementKind = 'CASH_IN' | 'CASH_OUT';

export interface ZCashMovement {
  kind: CashMovementKind;
  amount: DecimalInput;
}

export interface ZReportInput {
  openingFloat: DecimalInput;
  receipts: readonly ZReceipt[];
  refunds: readonly ZRefund[];
  cashMovements: readonly ZCashMovement[];
  countedCash: DecimalInput;
}

export interface MethodTotal {
  method: string;
  amount: string;
  count: number;
}

/** As frozen on the shift (jsonb) and published with shift.closed: amounts with 2 decimals. */
export interface ZFigures {
  salesByMethod: MethodTotal[];
  grossSales: string;
  vatBreakdown: VatLine[];
  refunds: string;
  refundsByMethod: MethodTotal[];
  netSales: string;
  discounts: string;
  receiptsCount: number;
  openingFloat: string;
  cashSales: string;
  cashRefunds: string;
  cashIn: string;
  cashOut: string;
  expectedCash: string;
  countedCash: string;
  /** counted - expected: negative when cash is missing */
  discrepancy: string;
}

const money = (d: Decimal): string => d.toFixed(2);

/** Sums per method, methods in alphabetical order so two reports of one shift read the same. */
function byMethod(entries: readonly { method: string; amount: DecimalInput }[]): MethodTotal[] {
  const totals = new Map<string, { amount: Decimal; count: number }>();
  for (const e of entries) {
    const t = totals.get(e.method) ?? { amount: new Decimal(0), count: 0 };
    t.amount = t.amount.plus(e.amount);
    t.count += 1;
    totals.set(e.method, t);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([method, t]) => ({ method, amount: money(t.amount), count: t.count }));
}

function amountOf(totals: readonly MethodTotal[], method: string): Decimal {
  return new Decimal(totals.find((t) => t.method === method)?.amount ?? 0);
}

export function computeZReport(input: ZReportInput): ZFigures {
  const salesByMethod = byMethod(input.receipts.flatMap((r) => r.payments));
  const refundsByMethod = byMethod(input.refunds);
  const grossSales = sum(input.receipts.map((r) => r.total));
  const refunds = sum(input.refunds.map((r) => r.amount));
  const cashIn = sum(input.cashMovements.filter((m) => m.kind === 'CASH_IN').map((m) => m.amount));
  const cashOut = sum(input.cashMovements.filter((m) => m.kind === 'CASH_OUT').map((m) => m.amount));
  const cashSales = amountOf(salesByMethod, CASH);
  const cashRefunds = amountOf(refundsByMethod, CASH);
  const openingFloat = new Decimal(input.openingFloat);
  const expectedCash = openingFloat.plus(cashSales).plus(cashIn).minus(cashOut).minus(cashRefunds);
  const countedCash = new Decimal(input.countedCash);
  return {
    salesByMethod,
    grossSales: money(grossSales),
    // merged per rate and checked against the gross: every receipt's lines already add up to its total
    vatBreakdown: normalizeVatBreakdown(
      input.receipts.flatMap((r) => r.vatBreakdown),
      grossSales,
    ),
    refunds: money(refunds),
    refundsByMethod,
    netSales: money(grossSales.minus(refunds)),
    discounts: money(sum(input.receipts.map((r) => r.discount))),
    receiptsCount: input.receipts.length,
    openingFloat: money(openingFloat),
    cashSales: money(cashSales),
    cashRefunds: money(cashRefunds),
    cashIn: money(cashIn),
    cashOut: money(cashOut),
    expectedCash: money(expectedCash),
    countedCash: money(countedCash),
    discrepancy: money(countedCash.minus(expectedCash)),
  };
}

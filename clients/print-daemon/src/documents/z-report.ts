/**
 * A shift's Z report, as the cashier and the manager read it at the close: sales by method,
 * refunds, VAT by rate, and the drawer (float, cash in and out, expected against counted, and
 * the discrepancy). The figures are the server's, frozen when the shift closed.
 */
import type { MethodTotal, ZReport } from '../job.ts';
import { formatAmount } from '../money.ts';
import type { Ticket } from '../ticket.ts';
import { localTime, methodLabel, vatTable } from './parts.ts';

const byMethod = (totals: readonly MethodTotal[]): Ticket =>
  totals.map((t) => ({ kind: 'pair', left: `  ${methodLabel(t.method)} (${t.count})`, right: formatAmount(t.amount.amount) }));

export function renderZReport(z: ZReport, width: number): Ticket {
  const timezone = z.shift.store.timezone;
  const currency = z.grossSales.currencyCode ?? '';
  const amount = (label: string, money: { amount: string }, bold = false): Ticket[number] => ({
    kind: 'pair',
    left: label,
    right: formatAmount(money.amount),
    bold,
  });
  return [
    { kind: 'text', text: z.shift.store.name, align: 'center', bold: true },
    { kind: 'text', text: 'Z REPORT', align: 'center', size: 2 },
    { kind: 'rule', char: '=' },
    { kind: 'pair', left: 'Z number', right: String(z.number), bold: true },
    { kind: 'pair', left: 'Shift opened', right: localTime(z.shift.openedAt, timezone) },
    { kind: 'pair', left: 'Shift closed', right: z.shift.closedAt ? localTime(z.shift.closedAt, timezone) : '-' },
    { kind: 'pair', left: 'Currency', right: currency },
    { kind: 'rule' },
    { kind: 'pair', left: 'Receipts', right: String(z.receiptsCount) },
    amount('Gross sales', z.grossSales),
    amount('Discounts', z.discounts),
    amount('Refunds', z.refunds),
    amount('NET SALES', z.netSales, true),
    { kind: 'rule' },
    { kind: 'text', text: 'Sales by method' },
    ...byMethod(z.salesByMethod),
    { kind: 'text', text: 'Refunds by method' },
    ...(z.refundsByMethod.length ? byMethod(z.refundsByMethod) : [{ kind: 'text', text: '  none' } as const]),
    { kind: 'rule' },
    ...vatTable(z.vatBreakdown, width),
    { kind: 'rule' },
    { kind: 'text', text: 'Cash drawer' },
    amount('  Opening float', z.openingFloat),
    amount('  Cash sales', z.cashSales),
    amount('  Cash in', z.cashIn),
    amount('  Cash out', z.cashOut),
    amount('  Cash refunds', z.cashRefunds),
    amount('  Expected cash', z.expectedCash),
    amount('  Counted cash', z.countedCash),
    { kind: 'pair', left: 'DISCREPANCY', right: formatAmount(z.discrepancy.amount), bold: true, size: 2 },
    { kind: 'rule' },
    { kind: 'pair', left: 'Generated', right: localTime(z.generatedAt, timezone) },
  ];
}

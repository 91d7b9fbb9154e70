/** Pieces more than one document prints. */
import type { VatLine } from '../job.ts';
import { compare, formatAmount, formatQuantity, sumAmounts } from '../money.ts';
import { columns } from '../text.ts';
import type { Ticket } from '../ticket.ts';

/** 2025-03-14 11:15 in the store's timezone (UTC when the store has none). */
export function localTime(iso: string, timezone?: string | null): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone || 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export const percent = (rate: string) => `${formatQuantity(rate)}%`;

/** CASH -> Cash, E_WALLET -> E wallet */
export function methodLabel(method: string): string {
  const words = method.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** VAT by rate, highest first: rate, taxable amount, VAT, gross, in four columns over the width; then the VAT total. */
export function vatTable(lines: readonly VatLine[], width: number): Ticket {
  const cell = Math.floor((width - 8) / 3);
  const widths = [8, -cell, -cell, -(width - 8 - 2 * cell)];
  const rows: Ticket = [{ kind: 'row', text: columns(['VAT', 'Net', 'VAT', 'Gross'], widths) }];
  for (const v of [...lines].sort((a, b) => compare(b.rate, a.rate))) {
    const gross = sumAmounts([v.taxableAmount.amount, v.taxAmount.amount]);
    rows.push({
      kind: 'row',
      text: columns([percent(v.rate), formatAmount(v.taxableAmount.amount), formatAmount(v.taxAmount.amount), gross], widths),
    });
  }
  rows.push({ kind: 'pair', left: 'Total VAT', right: sumAmounts(lines.map((v) => v.taxAmount.amount)) });
  return rows;
}

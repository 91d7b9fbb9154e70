/**
 * A sale's receipt: store, number and time, what was sold (quantity x price, line total, its
 * discount), the total, VAT by rate, payments and change, and the receipt's QR code.
 * Everything comes from the receipt as issued (its snapshot), never from today's catalog.
 */
import type { Receipt } from '../job.ts';
import { formatAmount, formatQuantity, parseDecimal } from '../money.ts';
import type { Ticket } from '../ticket.ts';
import { localTime, methodLabel, percent, vatTable } from './parts.ts';

const isZero = (amount: string) => parseDecimal(amount).units === 0n;

export function renderReceipt(receipt: Receipt, width: number): Ticket {
  const currency = receipt.total.currencyCode ?? '';
  const ticket: Ticket = [
    { kind: 'text', text: receipt.store.name, align: 'center', bold: true },
    { kind: 'rule', char: '=' },
    { kind: 'pair', left: 'Receipt', right: receipt.number, bold: true },
    { kind: 'pair', left: 'Date', right: localTime(receipt.issuedAt, receipt.store.timezone) },
  ];
  if (receipt.order) ticket.push({ kind: 'pair', left: 'Order', right: receipt.order.number });
  ticket.push({ kind: 'rule' });

  for (const line of receipt.lines) {
    ticket.push({ kind: 'text', text: line.name });
    ticket.push({
      kind: 'pair',
      left: `  ${formatQuantity(line.quantity)} x ${formatAmount(line.unitPrice.amount)}  VAT ${percent(line.vatRate)}`,
      right: formatAmount(line.total.amount),
    });
    if (line.discount && !isZero(line.discount.amount))
      ticket.push({ kind: 'pair', left: '  Discount', right: `-${formatAmount(line.discount.amount)}` });
  }
  ticket.push({ kind: 'rule' });
  if (!isZero(receipt.discountTotal.amount))
    ticket.push({ kind: 'pair', left: 'Discounts', right: `-${formatAmount(receipt.discountTotal.amount)}` });
  ticket.push({ kind: 'pair', left: 'TOTAL', right: `${formatAmount(receipt.total.amount)} ${currency}`.trim(), bold: true, size: 2 });
  ticket.push({ kind: 'rule' });
  ticket.push(...vatTable(receipt.vatBreakdown, width));
  ticket.push({ kind: 'rule' });

  for (const payment of receipt.payments) {
    ticket.push({ kind: 'pair', left: methodLabel(payment.method), right: formatAmount(payment.amount.amount) });
    if (payment.change && !isZero(payment.change.amount)) ticket.push({ kind: 'pair', left: 'Change', right: formatAmount(payment.change.amount) });
  }
  if (receipt.qrPayload) ticket.push({ kind: 'blank' }, { kind: 'qr', data: receipt.qrPayload });
  ticket.push({ kind: 'blank' }, { kind: 'text', text: 'Thank you!', align: 'center' });
  return ticket;
}

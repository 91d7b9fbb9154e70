/**
 * Fiscal's part of order-to-cash (DESIGN.md): a confirmed POS sale gets its receipt (and the
 * receipt its print job); a confirmed B2B or on-account order gets its invoice. Each handler
 * runs in the transaction that records the event in the inbox, so redelivery changes nothing.
 */
import { Decimal, type EntityManager, type EventHandler } from '@comanda/kit';
import { issueInvoice } from './services/invoices.ts';
import { issueReceipt } from './services/receipts.ts';
import { lockOpenShiftForSale } from './services/shifts.ts';

/** Payment terms of invoices issued from orders. */
const INVOICE_DUE_DAYS = 30;

interface SaleRow {
  order_id: string;
  store_id: string;
  channel: string;
  customer_id: string | null;
  pay_on_account: boolean;
  currency: string;
  total: string;
  vat_breakdown: { rate: string; taxableAmount: string; taxAmount: string }[];
  lines: { name: string; sku: string; quantity: string; unitPrice: string; total: string; vatRate: string; discount?: string | null }[];
  discount_total: string;
  confirmed_at: Date | null;
}

interface PaymentRow {
  method: string;
  amount: string;
  change: string | null;
}

/** Issues what the sale is owed once everything it needs has arrived; otherwise waits. */
async function issueWhenReady(em: EntityManager, orderId: string): Promise<void> {
  // The sale's row lock serializes the handlers that can complete a sale (the confirmation, each
  // payment): without it, two of them committing side by side each saw the other's half missing
  // and neither issued.
  const [sale] = await em.execute<SaleRow[]>('select * from sale where order_id = ? for update', [orderId]);
  if (!sale?.confirmed_at) return;
  const invoiced = sale.channel === 'B2B' || sale.pay_on_account;
  if (invoiced && sale.customer_id) {
    await issueInvoice(em, {
      orderId,
      customerId: sale.customer_id,
      storeId: sale.store_id,
      currency: sale.currency,
      total: sale.total,
      vatBreakdown: sale.vat_breakdown,
      dueDays: INVOICE_DUE_DAYS,
    });
    await settleInvoice(em, orderId);
    return;
  }
  if (sale.channel !== 'POS') return;
  const payments = await em.execute<PaymentRow[]>('select method, amount, change from sale_payment where order_id = ? order by payment_id', [
    orderId,
  ]);
  const paid = payments.reduce((acc, p) => acc.plus(p.amount), new Decimal(0));
  if (paid.lessThan(sale.total)) return; // the last payment event is still on its way
  await issueReceipt(em, {
    orderId,
    storeId: sale.store_id,
    currency: sale.currency,
    total: sale.total,
    vatBreakdown: sale.vat_breakdown,
    lines: sale.lines.map((l) => ({
      name: l.name,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      total: l.total,
      vatRate: l.vatRate,
      discount: l.discount ?? null,
    })),
    payments: payments.map((p) => ({ method: p.method, amount: p.amount, change: p.change })),
    discountTotal: sale.discount_total,
  });
}

/**
 * Everything discounts took off an order: its discountTotal when the event has one (order
 * discounts included), otherwise the sum of the line discounts.
 */
export function discountOf(data: { discountTotal?: unknown; lines?: { discount?: unknown }[] }): string {
  if (typeof data.discountTotal === 'string') return data.discountTotal;
  return (data.lines ?? []).reduce((acc, l) => acc.plus(typeof l.discount === 'string' ? l.discount : 0), new Decimal(0)).toFixed(2);
}

export const keepSale: EventHandler = {
  name: 'keep-sale',
  types: ['comanda.orders.order.placed.v1'],
  async handle(em, event) {
    const d = event.data as Record<string, any>;
    await em.execute(
      `insert into sale (order_id, tenant_id, store_id, channel, customer_id, pay_on_account, currency, total, vat_breakdown, lines, discount_total)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      [
        d.orderId,
        event.tenantid,
        d.storeId,
        d.channel,
        d.customerId ?? null,
        Boolean(d.payOnAccount),
        d.currency,
        d.total,
        JSON.stringify(d.vatBreakdown),
        JSON.stringify(d.lines),
        discountOf(d),
      ],
    );
  },
};

export const recordSalePayment: EventHandler = {
  name: 'sale-payment',
  types: ['comanda.payments.payment.captured.v1'],
  async handle(em, event) {
    const d = event.data as { paymentId: string; orderId: string; method: string; amount: string; change: string | null };
    await em.execute(
      `insert into sale_payment (payment_id, tenant_id, order_id, method, amount, change) values (?, ?, ?, ?, ?, ?) on conflict do nothing`,
      [d.paymentId, event.tenantid, d.orderId, d.method, d.amount, d.change],
    );
    await issueWhenReady(em, d.orderId);
    await settleInvoice(em, d.orderId);
  },
};

/**
 * Payments on an invoiced order move the invoice to PARTIALLY_PAID or PAID, whichever came
 * first: the payments or the invoice.
 */
async function settleInvoice(em: EntityManager, orderId: string): Promise<void> {
  await em.execute(
    `update invoice i set status = case when p.paid >= i.total then 'PAID' else 'PARTIALLY_PAID' end, updated_at = now()
       from (select coalesce(sum(amount), 0) as paid from sale_payment where order_id = ?) p
      where i.order_id = ? and i.status in ('ISSUED', 'PARTIALLY_PAID') and p.paid > 0`,
    [orderId, orderId],
  );
}

export const issueOnConfirmed: EventHandler = {
  name: 'issue-on-confirmed',
  types: ['comanda.orders.order.confirmed.v1'],
  async handle(em, event) {
    const orderId = (event.data as { orderId: string }).orderId;
    await em.execute('update sale set confirmed_at = coalesce(confirmed_at, ?) where order_id = ?', [new Date(event.time), orderId]);
    await issueWhenReady(em, orderId);
  },
};

/**
 * A refund joins the shift open in its store when fiscal hears of it (as a receipt does when it
 * is issued): the Z report counts it, and a cash refund leaves the drawer.
 */
export const recordRefund: EventHandler = {
  name: 'shift-refund',
  types: ['comanda.payments.payment.refunded.v1'],
  async handle(em, event) {
    const d = event.data as {
      refundId: string;
      paymentId: string;
      orderId: string;
      storeId: string;
      method: string;
      amount: string;
      currency: string;
    };
    const shiftId = await lockOpenShiftForSale(em, d.storeId);
    await em.execute(
      `insert into shift_refund (refund_id, tenant_id, payment_id, order_id, store_id, method, amount, currency, refunded_at, shift_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      [d.refundId, event.tenantid, d.paymentId, d.orderId, d.storeId, d.method, d.amount, d.currency, new Date(event.time), shiftId],
    );
  },
};

export const reactions: EventHandler[] = [keepSale, recordSalePayment, issueOnConfirmed, recordRefund];

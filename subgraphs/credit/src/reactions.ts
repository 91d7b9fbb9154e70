/**
 * Credit's part of order-to-cash (DESIGN.md, choreography). Each handler runs in the transaction
 * that records the event in the inbox, and the services are idempotent per order, so a
 * redelivered event changes nothing.
 *   orders   order.placed with payOnAccount  -> hold the order total (HELD, or REJECTED with a reason)
 *   orders   order.cancelled                 -> release the hold
 *   payments payment.captured, order PAID    -> release the hold (paid before it was invoiced)
 *   fiscal   invoice.issued for an order     -> consume the hold (it is a receivable now)
 *   customers customer.merged                -> the duplicate's reservations and profile go to the survivor
 *   customers customer.erased                -> the profile goes, the reservations stay
 * placed and cancelled share one handler so they are applied in the order orders wrote them;
 * merged and erased too (docs/credit.md, Merged and erased customers).
 */
import type { EventEnvelope, EventHandler } from '@comanda/kit';
import { UUID } from './services/common.ts';
import { eraseCustomer, mergeCustomer } from './services/customer-changes.ts';
import { consumeCredit, releaseCredit, reserveCredit } from './services/reservations.ts';

export const ORDER_PLACED = 'comanda.orders.order.placed.v1';
export const ORDER_CANCELLED = 'comanda.orders.order.cancelled.v1';
export const PAYMENT_CAPTURED = 'comanda.payments.payment.captured.v1';
export const INVOICE_ISSUED = 'comanda.fiscal.invoice.issued.v1';
export const CUSTOMER_MERGED = 'comanda.customers.customer.merged.v1';
export const CUSTOMER_ERASED = 'comanda.customers.customer.erased.v1';

/** Payment statuses (payments' PaymentStatus) at which nothing is left to owe on the order. */
const SETTLED = new Set(['PAID', 'OVERPAID']);

function text(event: EventEnvelope, field: string): string {
  const value = event.data[field];
  if (typeof value !== 'string' || !value) throw new Error(`${event.type} ${event.id}: data.${field} is missing`);
  return value;
}

export const creditOnOrders: EventHandler = {
  name: 'credit-on-orders',
  types: [ORDER_PLACED, ORDER_CANCELLED],
  async handle(em, event) {
    if (event.type === ORDER_CANCELLED) {
      await releaseCredit(em, text(event, 'orderId'));
      return;
    }
    if (event.data.payOnAccount !== true) return;
    const total = text(event, 'total');
    // a free order on account owes nothing, so there is nothing to hold
    if (/^0+(\.0+)?$/.test(total)) return;
    // a malformed event throws (DomainError): retried, then dead-lettered with the reason
    await reserveCredit(em, {
      orderId: text(event, 'orderId'),
      customerId: text(event, 'customerId'),
      storeId: text(event, 'storeId'),
      amount: total,
      currency: text(event, 'currency'),
    });
  },
};

export const releaseOnPayment: EventHandler = {
  name: 'release-on-payment',
  types: [PAYMENT_CAPTURED],
  async handle(em, event) {
    if (!SETTLED.has(String(event.data.paymentStatus))) return;
    await releaseCredit(em, text(event, 'orderId'));
  },
};

export const consumeOnInvoice: EventHandler = {
  name: 'consume-on-invoice',
  types: [INVOICE_ISSUED],
  async handle(em, event) {
    // invoices without an order (issued by hand) never had a hold
    if (typeof event.data.orderId !== 'string') return;
    await consumeCredit(em, event.data.orderId);
  },
};

function uuid(event: EventEnvelope, field: string): string {
  const value = text(event, field);
  if (!UUID.test(value)) throw new Error(`${event.type} ${event.id}: data.${field} is not a UUID`);
  return value.toLowerCase();
}

function instant(event: EventEnvelope, field: string): Date {
  const at = new Date(text(event, field));
  if (Number.isNaN(at.getTime())) throw new Error(`${event.type} ${event.id}: data.${field} is not a date-time`);
  return at;
}

export const creditOnCustomers: EventHandler = {
  name: 'credit-on-customers',
  types: [CUSTOMER_MERGED, CUSTOMER_ERASED],
  async handle(em, event) {
    if (event.type === CUSTOMER_MERGED) {
      await mergeCustomer(em, uuid(event, 'customerId'), uuid(event, 'survivorId'), instant(event, 'mergedAt'));
      return;
    }
    await eraseCustomer(em, uuid(event, 'customerId'), instant(event, 'erasedAt'));
  },
};

export const reactions: EventHandler[] = [creditOnOrders, releaseOnPayment, consumeOnInvoice, creditOnCustomers];

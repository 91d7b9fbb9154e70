import { Decimal, type DecimalInput, DomainError, roundMoney, UUID } from '@comanda/kit';
import { type BuyerKind, dueDateFor } from './invoice.ts';
import { normalizeVatBreakdown, type VatLine, type VatLineInput } from './vat.ts';

/**
 * What the issuing services accept (from order events, later) and what they keep: snapshots
 * of the sale as it was, so a receipt or invoice never changes when the catalog does.
 */

export { UUID };
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY = /^[A-Z]{2}$/;
/** Used when the caller does not say: Romania is the first market (DESIGN.md). */
export const DEFAULT_TIMEZONE = 'Europe/Bucharest';
export const DEFAULT_COUNTRY = 'RO';
/** A store fiscal has no setting for keeps its drawer in the first market's currency. */
export const DEFAULT_CURRENCY = 'RON';

export interface ReceiptLineInput {
  name: string;
  sku: string;
  quantity: DecimalInput;
  unitPrice: DecimalInput;
  total: DecimalInput;
  vatRate: DecimalInput;
  /** what a discount took off this line (already out of its total) */
  discount?: DecimalInput | null;
}

export interface ReceiptPaymentInput {
  method: string;
  amount: DecimalInput;
  change?: DecimalInput | null;
}

export interface ReceiptSnapshot {
  orderId: string;
  storeId: string;
  currency: string;
  total: DecimalInput;
  vatBreakdown: VatLineInput[];
  lines: ReceiptLineInput[];
  payments: ReceiptPaymentInput[];
  /** everything discounts took off the sale (lines and order); defaults to 0 */
  discountTotal?: DecimalInput | null;
  /** defaults to now */
  issuedAt?: Date;
  /** the store's timezone: which year the number belongs to */
  timezone?: string;
}

export interface ReceiptLine {
  name: string;
  sku: string;
  quantity: string;
  unitPrice: string;
  total: string;
  vatRate: string;
  /** absent on receipts issued before discounts were kept, and on lines without one */
  discount?: string;
}

export interface ReceiptPayment {
  method: string;
  amount: string;
  change: string | null;
}

export interface ValidReceipt {
  orderId: string;
  storeId: string;
  currency: string;
  total: string;
  vatBreakdown: VatLine[];
  lines: ReceiptLine[];
  payments: ReceiptPayment[];
  discountTotal: string;
  issuedAt: Date;
  timezone: string;
}

export interface InvoiceRequest {
  /** null for an invoice not tied to an order */
  orderId: string | null;
  customerId: string;
  storeId: string;
  currency: string;
  total: DecimalInput;
  vatBreakdown: VatLineInput[];
  /** payment terms */
  dueDays: number;
  /** the seller's (store's) country; defaults to RO */
  countryCode?: string;
  /** defaults to COMPANY: invoices are what B2B orders get */
  buyerKind?: BuyerKind;
  issuedAt?: Date;
  timezone?: string;
}

export interface ValidInvoice {
  orderId: string | null;
  customerId: string;
  storeId: string;
  currency: string;
  total: string;
  vatBreakdown: VatLine[];
  issuedAt: Date;
  dueDate: Date;
  countryCode: string;
  buyerKind: BuyerKind;
  timezone: string;
}

function uuid(value: unknown, code: string, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new DomainError(code, `${field} is not a UUID`, [field]);
  return value.toLowerCase();
}

function amount(value: unknown, field: string[], { allowNegative = false } = {}): Decimal {
  let d: Decimal;
  try {
    d = new Decimal(value as DecimalInput);
  } catch {
    throw new DomainError('INVALID_AMOUNT', `${field.join('.')} is not a decimal number`, field);
  }
  if (!d.isFinite() || (!allowNegative && d.isNegative())) throw new DomainError('INVALID_AMOUNT', `${field.join('.')} is not a valid amount`, field);
  return d;
}

function currency(value: unknown): string {
  if (typeof value !== 'string' || !CURRENCY.test(value)) throw new DomainError('INVALID_CURRENCY', 'currency is an ISO 4217 code', ['currency']);
  return value;
}

function timezone(value: string | undefined): string {
  const zone = value ?? DEFAULT_TIMEZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new DomainError('INVALID_TIMEZONE', `${zone} is not an IANA timezone`, ['timezone']);
  }
  return zone;
}

function text(value: unknown, field: string[]): string {
  if (typeof value !== 'string' || !value.trim()) throw new DomainError('INVALID_RECEIPT_LINE', `${field.join('.')} is required`, field);
  return value.trim();
}

/** Pure: the receipt as it will be kept, or the first problem with the snapshot. */
export function validateReceiptSnapshot(snapshot: ReceiptSnapshot): ValidReceipt {
  const orderId = uuid(snapshot.orderId, 'INVALID_ORDER_ID', 'orderId');
  const storeId = uuid(snapshot.storeId, 'INVALID_STORE_ID', 'storeId');
  const total = roundMoney(amount(snapshot.total, ['total']));
  if (!Array.isArray(snapshot.lines) || snapshot.lines.length === 0)
    throw new DomainError('INVALID_RECEIPT_LINE', 'a receipt has at least one line', ['lines']);
  const lines = snapshot.lines.map((l, i): ReceiptLine => {
    const line: ReceiptLine = {
      name: text(l.name, ['lines', String(i), 'name']),
      sku: text(l.sku, ['lines', String(i), 'sku']),
      quantity: amount(l.quantity, ['lines', String(i), 'quantity'], { allowNegative: true }).toFixed(),
      unitPrice: amount(l.unitPrice, ['lines', String(i), 'unitPrice']).toFixed(),
      total: roundMoney(amount(l.total, ['lines', String(i), 'total'], { allowNegative: true })).toFixed(2),
      vatRate: amount(l.vatRate, ['lines', String(i), 'vatRate']).toFixed(),
    };
    const discount = l.discount == null ? null : roundMoney(amount(l.discount, ['lines', String(i), 'discount']));
    if (discount && !discount.isZero()) line.discount = discount.toFixed(2);
    return line;
  });
  const payments = (snapshot.payments ?? []).map((p, i) => {
    if (typeof p.method !== 'string' || !/^[A-Z_]{2,30}$/.test(p.method)) {
      throw new DomainError('INVALID_RECEIPT_PAYMENT', 'a payment method is a PaymentMethod name', ['payments', String(i), 'method']);
    }
    return {
      method: p.method,
      amount: roundMoney(amount(p.amount, ['payments', String(i), 'amount'])).toFixed(2),
      change: p.change == null ? null : roundMoney(amount(p.change, ['payments', String(i), 'change'])).toFixed(2),
    };
  });
  return {
    orderId,
    storeId,
    currency: currency(snapshot.currency),
    total: total.toFixed(2),
    vatBreakdown: normalizeVatBreakdown(snapshot.vatBreakdown ?? [], total),
    lines,
    payments,
    discountTotal: roundMoney(amount(snapshot.discountTotal ?? 0, ['discountTotal'])).toFixed(2),
    issuedAt: snapshot.issuedAt ?? new Date(),
    timezone: timezone(snapshot.timezone),
  };
}

/** Pure: the invoice as it will be issued, or the first problem with the request. */
export function validateInvoiceRequest(request: InvoiceRequest): ValidInvoice {
  const orderId = request.orderId == null ? null : uuid(request.orderId, 'INVALID_ORDER_ID', 'orderId');
  const customerId = uuid(request.customerId, 'INVALID_CUSTOMER_ID', 'customerId');
  const storeId = uuid(request.storeId, 'INVALID_STORE_ID', 'storeId');
  const total = roundMoney(amount(request.total, ['total']));
  const countryCode = (request.countryCode ?? DEFAULT_COUNTRY).toUpperCase();
  if (!COUNTRY.test(countryCode)) throw new DomainError('INVALID_COUNTRY', 'countryCode is two letters (ISO 3166-1)', ['countryCode']);
  const buyerKind = request.buyerKind ?? 'COMPANY';
  if (buyerKind !== 'COMPANY' && buyerKind !== 'PERSON') throw new DomainError('INVALID_BUYER_KIND', 'buyerKind is PERSON or COMPANY', ['buyerKind']);
  const issuedAt = request.issuedAt ?? new Date();
  return {
    orderId,
    customerId,
    storeId,
    currency: currency(request.currency),
    total: total.toFixed(2),
    vatBreakdown: normalizeVatBreakdown(request.vatBreakdown ?? [], total),
    issuedAt,
    dueDate: dueDateFor(issuedAt, request.dueDays),
    countryCode,
    buyerKind,
    timezone: timezone(request.timezone),
  };
}

import { Decimal } from '@comanda/kit';
import type { VatLine } from '../domain/vat.ts';
import { CIUS_RO_CUSTOMIZATION_ID, calendarDate, type EInvoiceDocument, type EParty } from './document.ts';

/**
 * The e-invoice of an issued invoice: the invoice's number, dates and VAT breakdown, the order's
 * lines as fiscal kept them from order.placed (net amounts after discounts), the seller's
 * profile and the buyer as given when the e-invoice was queued. Pure.
 */

export interface SaleLine {
  name: string;
  sku: string;
  quantity: string;
  vatRate: string;
  /** net of VAT, after the line's discount (order.placed) */
  netAmount?: string;
  taxAmount?: string;
  total: string;
}

export interface InvoiceFacts {
  number: string;
  issuedAt: Date;
  dueDate: Date;
  currency: string;
  total: string;
  vatBreakdown: VatLine[];
}

/** A piece (UN/ECE rec. 20), what ANAF's examples use for goods sold by the unit. */
const PIECE = 'H87';

const vatCategory = (rate: string) => (new Decimal(rate).isZero() ? 'Z' : 'S');

/** Net of a line: as placed, or (older events) its total less its VAT. */
function netOf(line: SaleLine): Decimal {
  if (line.netAmount != null) return new Decimal(line.netAmount);
  return new Decimal(line.total).minus(line.taxAmount ?? 0);
}

export function eInvoiceOf(
  invoice: InvoiceFacts,
  lines: readonly SaleLine[],
  parties: { seller: EParty; buyer: EParty; payeeIban: string | null },
  timeZone: string,
): EInvoiceDocument {
  const docLines = lines.map((l, i) => {
    const net = netOf(l);
    const quantity = new Decimal(l.quantity);
    return {
      id: String(i + 1),
      name: l.name,
      quantity: quantity.toFixed(),
      unitCode: PIECE,
      // the price that gives the line's net amount (a line discount is already out of it); 4 decimals keep it exact enough
      unitPrice: quantity.isZero() ? '0.00' : net.dividedBy(quantity).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(),
      netAmount: net.toFixed(2),
      vatRate: new Decimal(l.vatRate).toFixed(),
      vatCategory: vatCategory(l.vatRate),
    };
  });
  const vat = invoice.vatBreakdown.map((v) => ({
    rate: new Decimal(v.rate).toFixed(),
    category: vatCategory(v.rate),
    taxableAmount: new Decimal(v.taxableAmount).toFixed(2),
    taxAmount: new Decimal(v.taxAmount).toFixed(2),
  }));
  const lineExtension = docLines.reduce((acc, l) => acc.plus(l.netAmount), new Decimal(0));
  const taxAmount = vat.reduce((acc, v) => acc.plus(v.taxAmount), new Decimal(0));
  return {
    kind: 'INVOICE',
    customizationId: CIUS_RO_CUSTOMIZATION_ID,
    typeCode: '380',
    number: invoice.number,
    issueDate: calendarDate(invoice.issuedAt, timeZone),
    dueDate: calendarDate(invoice.dueDate, timeZone),
    currency: invoice.currency,
    precedingInvoice: null,
    seller: parties.seller,
    buyer: parties.buyer,
    payeeIban: parties.payeeIban,
    lines: docLines,
    vat,
    totals: {
      lineExtension: lineExtension.toFixed(2),
      taxExclusive: lineExtension.toFixed(2),
      taxAmount: taxAmount.toFixed(2),
      taxInclusive: lineExtension.plus(taxAmount).toFixed(2),
      payable: new Decimal(invoice.total).toFixed(2),
    },
  };
}

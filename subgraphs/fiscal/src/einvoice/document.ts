/**
 * An e-invoice as the law sees it (EN 16931 with the Romanian CIUS-RO rules), independent of
 * its XML: built from an issued invoice (from-invoice.ts), checked (cius-ro.ts), written as UBL
 * 2.1 (ubl.ts) and read back from UBL (ubl-reader.ts, what the sandbox authority does).
 * Amounts are decimal strings; dates are calendar dates (YYYY-MM-DD) in the seller's timezone.
 */

export const CIUS_RO_CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1';

/** 380 commercial invoice, 384 corrected invoice, 389 self-billed invoice, 751 invoice for accounting purposes. */
export const INVOICE_TYPE_CODES = ['380', '384', '389', '751'] as const;
export const CREDIT_NOTE_TYPE_CODE = '381';

export type EInvoiceKind = 'INVOICE' | 'CREDIT_NOTE';

export interface EAddress {
  street: string;
  city: string;
  /** ISO 3166-2 subdivision, required in Romania: RO-CJ, RO-B ... */
  countySubdivision: string | null;
  postalCode: string | null;
  /** ISO 3166-1 alpha-2 */
  countryCode: string;
}

export interface EParty {
  /** the registered (legal) name */
  name: string;
  /** the VAT identifier with its country prefix (RO18547290) when the party is VAT-registered */
  vatId: string | null;
  /** the legal registration id (for Romania the CUI without RO) */
  companyId: string | null;
  address: EAddress;
}

export interface ELine {
  id: string;
  name: string;
  quantity: string;
  /** UN/ECE rec. 20: H87 piece */
  unitCode: string;
  /** net of VAT */
  unitPrice: string;
  /** net of VAT, after line discounts */
  netAmount: string;
  vatRate: string;
  /** UNCL 5305: S standard, Z zero rated */
  vatCategory: string;
}

export interface EVatSubtotal {
  rate: string;
  category: string;
  taxableAmount: string;
  taxAmount: string;
}

export interface ETotals {
  lineExtension: string;
  taxExclusive: string;
  taxAmount: string;
  taxInclusive: string;
  payable: string;
}

export interface EInvoiceDocument {
  kind: EInvoiceKind;
  customizationId: string;
  typeCode: string;
  number: string;
  issueDate: string;
  dueDate: string | null;
  currency: string;
  /** a credit note names the invoice it corrects */
  precedingInvoice: { number: string; issueDate: string } | null;
  seller: EParty;
  buyer: EParty;
  /** where the buyer pays (credit transfer) */
  payeeIban: string | null;
  lines: ELine[];
  vat: EVatSubtotal[];
  totals: ETotals;
}

/** The calendar date of an instant in a timezone, YYYY-MM-DD. */
export function calendarDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

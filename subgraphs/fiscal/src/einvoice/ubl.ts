import { create } from 'xmlbuilder2';
import type { EInvoiceDocument, EParty } from './document.ts';

type XMLBuilder = ReturnType<typeof create>;

/**
 * UBL 2.1 Invoice / CreditNote XML for an e-invoice (xmlbuilder2: namespaces and escaping done
 * right, no string concatenation). Elements are written in the order the UBL 2.1 XSD's
 * sequences require, which is what the XSD checks besides the types.
 */

export const UBL_NS = {
  INVOICE: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CREDIT_NOTE: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
} as const;

/** Credit transfer (UNCL 4461). */
const PAYMENT_MEANS_CREDIT_TRANSFER = '30';

function party(parent: XMLBuilder, element: string, p: EParty): void {
  const node = parent.ele(`cac:${element}`).ele('cac:Party');
  const address = node.ele('cac:PostalAddress');
  address.ele('cbc:StreetName').txt(p.address.street);
  address.ele('cbc:CityName').txt(p.address.city);
  if (p.address.postalCode) address.ele('cbc:PostalZone').txt(p.address.postalCode);
  if (p.address.countySubdivision) address.ele('cbc:CountrySubentity').txt(p.address.countySubdivision);
  address.ele('cac:Country').ele('cbc:IdentificationCode').txt(p.address.countryCode);
  if (p.vatId) {
    const scheme = node.ele('cac:PartyTaxScheme');
    scheme.ele('cbc:CompanyID').txt(p.vatId);
    scheme.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
  }
  const legal = node.ele('cac:PartyLegalEntity');
  legal.ele('cbc:RegistrationName').txt(p.name);
  if (p.companyId) legal.ele('cbc:CompanyID').txt(p.companyId);
}

function taxCategory(parent: XMLBuilder, element: string, category: string, rate: string): void {
  const node = parent.ele(`cac:${element}`);
  node.ele('cbc:ID').txt(category);
  node.ele('cbc:Percent').txt(rate);
  node.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
}

export function toUbl(doc: EInvoiceDocument): string {
  const invoice = doc.kind === 'INVOICE';
  const currency = { currencyID: doc.currency };
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(invoice ? UBL_NS.INVOICE : UBL_NS.CREDIT_NOTE, invoice ? 'Invoice' : 'CreditNote', {
    'xmlns:cac': UBL_NS.cac,
    'xmlns:cbc': UBL_NS.cbc,
  });
  root.ele('cbc:CustomizationID').txt(doc.customizationId);
  root.ele('cbc:ID').txt(doc.number);
  root.ele('cbc:IssueDate').txt(doc.issueDate);
  // a UBL 2.1 CreditNote has no DueDate: its due date would go in PaymentMeans
  if (invoice && doc.dueDate) root.ele('cbc:DueDate').txt(doc.dueDate);
  root.ele(invoice ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode').txt(doc.typeCode);
  root.ele('cbc:DocumentCurrencyCode').txt(doc.currency);
  if (doc.precedingInvoice) {
    const ref = root.ele('cac:BillingReference').ele('cac:InvoiceDocumentReference');
    ref.ele('cbc:ID').txt(doc.precedingInvoice.number);
    ref.ele('cbc:IssueDate').txt(doc.precedingInvoice.issueDate);
  }
  party(root, 'AccountingSupplierParty', doc.seller);
  party(root, 'AccountingCustomerParty', doc.buyer);
  if (doc.payeeIban) {
    const means = root.ele('cac:PaymentMeans');
    means.ele('cbc:PaymentMeansCode').txt(PAYMENT_MEANS_CREDIT_TRANSFER);
    if (!invoice && doc.dueDate) means.ele('cbc:PaymentDueDate').txt(doc.dueDate);
    means.ele('cac:PayeeFinancialAccount').ele('cbc:ID').txt(doc.payeeIban);
  }
  const tax = root.ele('cac:TaxTotal');
  tax.ele('cbc:TaxAmount', currency).txt(doc.totals.taxAmount);
  for (const v of doc.vat) {
    const sub = tax.ele('cac:TaxSubtotal');
    sub.ele('cbc:TaxableAmount', currency).txt(v.taxableAmount);
    sub.ele('cbc:TaxAmount', currency).txt(v.taxAmount);
    taxCategory(sub, 'TaxCategory', v.category, v.rate);
  }
  const totals = root.ele('cac:LegalMonetaryTotal');
  totals.ele('cbc:LineExtensionAmount', currency).txt(doc.totals.lineExtension);
  totals.ele('cbc:TaxExclusiveAmount', currency).txt(doc.totals.taxExclusive);
  totals.ele('cbc:TaxInclusiveAmount', currency).txt(doc.totals.taxInclusive);
  totals.ele('cbc:PayableAmount', currency).txt(doc.totals.payable);
  for (const l of doc.lines) {
    const line = root.ele(invoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine');
    line.ele('cbc:ID').txt(l.id);
    line.ele(invoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity', { unitCode: l.unitCode }).txt(l.quantity);
    line.ele('cbc:LineExtensionAmount', currency).txt(l.netAmount);
    const item = line.ele('cac:Item');
    item.ele('cbc:Name').txt(l.name);
    taxCategory(item, 'ClassifiedTaxCategory', l.vatCategory, l.vatRate);
    line.ele('cac:Price').ele('cbc:PriceAmount', currency).txt(l.unitPrice);
  }
  return root.end({ prettyPrint: true });
}

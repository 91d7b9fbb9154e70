import { Decimal } from '@comanda/kit';
import {
  CIUS_RO_CUSTOMIZATION_ID,
  CREDIT_NOTE_TYPE_CODE,
  type EAddress,
  type EInvoiceDocument,
  type EParty,
  INVOICE_TYPE_CODES,
} from './document.ts';

/**
 * The checks an e-invoice must pass before it goes to ANAF: the CIUS-RO rules of DOMAIN.md
 * (customization, type codes, county codes, Bucharest sectors, at most 2 decimals) plus the
 * EN 16931 arithmetic and the identification CIUS-RO insists on. Pure: every violation found,
 * each with a stable code (docs/errors.md, prefixed CIUS_RO_ in userErrors), where the rule comes
 * from (the EN 16931 rule id for the arithmetic ones, else EN16931 or CIUS-RO) and the path of
 * the offending element. The official schematron has more rules; these are the ones a document
 * built from our invoices can break.
 */

export interface Violation {
  code: string;
  rule: string;
  message: string;
  path: string;
}

/** ISO 3166-2:RO: the 41 counties and Bucharest. */
export const RO_COUNTIES = new Set(
  'AB AR AG BC BH BN BT BV BR BZ CS CL CJ CT CV DB DJ GL GR GJ HR HD IL IS IF MM MH MS NT OT PH SM SJ SB SV TR TM TL VS VL VN B'
    .split(' ')
    .map((c) => `RO-${c}`),
);
/** In Bucharest (RO-B) the city is its sector. */
export const BUCHAREST_SECTORS = new Set(['SECTOR1', 'SECTOR2', 'SECTOR3', 'SECTOR4', 'SECTOR5', 'SECTOR6']);

const MAX = { number: 200, name: 200, street: 150, city: 50, itemName: 100 } as const;

const WEIGHTS = [7, 5, 3, 2, 1, 7, 5, 3, 2];

/** A Romanian CUI/CIF: optional RO, 2-10 digits, the last a check digit (DOMAIN.md, Customers). */
export function validCui(value: string): boolean {
  const digits = value.toUpperCase().replace(/^RO/, '');
  if (!/^\d{2,10}$/.test(digits)) return false;
  const body = digits.slice(0, -1).padStart(9, '0');
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (WEIGHTS[i] ?? 0), 0);
  return ((sum * 10) % 11) % 10 === Number(digits.at(-1));
}

function decimals(value: string): number {
  const m = /^-?\d+(?:\.(\d+))?$/.exec(value);
  return m ? (m[1]?.length ?? 0) : Number.POSITIVE_INFINITY;
}

export function validateEInvoice(doc: EInvoiceDocument): Violation[] {
  const out: Violation[] = [];
  const add = (code: string, rule: string, path: string, message: string) => out.push({ code, rule, path, message });

  if (doc.customizationId !== CIUS_RO_CUSTOMIZATION_ID) {
    add('CUSTOMIZATION_ID', 'CIUS-RO', 'CustomizationID', `CustomizationID must be ${CIUS_RO_CUSTOMIZATION_ID}`);
  }
  if (doc.kind === 'INVOICE' && !(INVOICE_TYPE_CODES as readonly string[]).includes(doc.typeCode)) {
    add('TYPE_CODE', 'CIUS-RO', 'InvoiceTypeCode', `an invoice's type code is one of ${INVOICE_TYPE_CODES.join(', ')}, not ${doc.typeCode}`);
  }
  if (doc.kind === 'CREDIT_NOTE' && doc.typeCode !== CREDIT_NOTE_TYPE_CODE) {
    add('TYPE_CODE', 'CIUS-RO', 'CreditNoteTypeCode', `a credit note's type code is ${CREDIT_NOTE_TYPE_CODE}, not ${doc.typeCode}`);
  }
  if (!doc.number || doc.number.length > MAX.number || !/\d/.test(doc.number)) {
    add('DOCUMENT_NUMBER', 'CIUS-RO', 'ID', `the document number has 1-${MAX.number} characters and at least one digit`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(doc.issueDate)) add('ISSUE_DATE', 'EN16931', 'IssueDate', 'the issue date is YYYY-MM-DD');
  if (doc.dueDate && doc.dueDate < doc.issueDate) add('DUE_DATE', 'EN16931', 'DueDate', 'the due date is not before the issue date');
  if (!/^[A-Z]{3}$/.test(doc.currency)) add('CURRENCY', 'EN16931', 'DocumentCurrencyCode', 'the currency is an ISO 4217 code');
  else if (doc.currency !== 'RON') {
    add('TAX_CURRENCY', 'CIUS-RO', 'TaxCurrencyCode', 'an invoice in another currency than RON states its VAT in RON too (not supported yet)');
  }
  if (doc.kind === 'CREDIT_NOTE' && !doc.precedingInvoice) {
    add('PRECEDING_INVOICE', 'EN16931', 'BillingReference', 'a credit note names the invoice it corrects');
  }

  party(doc.seller, 'AccountingSupplierParty', true, add);
  party(doc.buyer, 'AccountingCustomerParty', false, add);

  if (!doc.lines.length) add('LINES', 'EN16931', 'InvoiceLine', 'an e-invoice has at least one line');
  doc.lines.forEach((line, i) => {
    const path = `${doc.kind === 'INVOICE' ? 'InvoiceLine' : 'CreditNoteLine'}[${i + 1}]`;
    if (!line.name.trim() || line.name.length > MAX.itemName)
      add('ITEM_NAME', 'CIUS-RO', `${path}/Item/Name`, `an item name has 1-${MAX.itemName} characters`);
    if (decimals(line.netAmount) > 2) add('DECIMALS', 'CIUS-RO', `${path}/LineExtensionAmount`, 'amounts have at most 2 decimals');
    if (!(decimals(line.quantity) < Number.POSITIVE_INFINITY)) add('QUANTITY', 'EN16931', `${path}/InvoicedQuantity`, 'the quantity is a number');
  });

  const amounts: [string, string][] = [
    ['LegalMonetaryTotal/LineExtensionAmount', doc.totals.lineExtension],
    ['LegalMonetaryTotal/TaxExclusiveAmount', doc.totals.taxExclusive],
    ['LegalMonetaryTotal/TaxInclusiveAmount', doc.totals.taxInclusive],
    ['LegalMonetaryTotal/PayableAmount', doc.totals.payable],
    ['TaxTotal/TaxAmount', doc.totals.taxAmount],
    ...doc.vat.flatMap((v, i): [string, string][] => [
      [`TaxTotal/TaxSubtotal[${i + 1}]/TaxableAmount`, v.taxableAmount],
      [`TaxTotal/TaxSubtotal[${i + 1}]/TaxAmount`, v.taxAmount],
    ]),
  ];
  for (const [path, value] of amounts) if (decimals(value) > 2) add('DECIMALS', 'CIUS-RO', path, 'amounts have at most 2 decimals');
  if (out.some((v) => v.code === 'DECIMALS' || v.code === 'QUANTITY')) return out;

  arithmetic(doc, add);
  return out;
}

type Add = (code: string, rule: string, path: string, message: string) => void;

function party(p: EParty, path: string, seller: boolean, add: Add): void {
  const who = seller ? 'seller' : 'buyer';
  if (!p.name.trim() || p.name.length > MAX.name)
    add(`${who.toUpperCase()}_NAME`, 'EN16931', `${path}/Party/PartyLegalEntity/RegistrationName`, `the ${who}'s name is required`);
  const ids = [p.vatId, p.companyId].filter((v): v is string => Boolean(v));
  if (!ids.length) add(`${who.toUpperCase()}_ID`, 'CIUS-RO', `${path}/Party`, `the ${who} is identified by a VAT id or a legal registration id`);
  const romanian = p.address.countryCode === 'RO';
  if (romanian) {
    for (const id of ids) {
      if (!validCui(id)) add('CUI', 'CIUS-RO', `${path}/Party/PartyTaxScheme/CompanyID`, `${id} is not a valid Romanian CUI (check digit)`);
    }
  }
  address(p.address, `${path}/Party/PostalAddress`, add);
}

function address(a: EAddress, path: string, add: Add): void {
  if (!a.street.trim() || a.street.length > MAX.street)
    add('ADDRESS_STREET', 'CIUS-RO', `${path}/StreetName`, `the street has 1-${MAX.street} characters`);
  if (!a.city.trim() || a.city.length > MAX.city) add('ADDRESS_CITY', 'CIUS-RO', `${path}/CityName`, `the city has 1-${MAX.city} characters`);
  if (!/^[A-Z]{2}$/.test(a.countryCode)) add('COUNTRY', 'EN16931', `${path}/Country/IdentificationCode`, 'the country is an ISO 3166-1 code');
  if (a.countryCode !== 'RO') return;
  if (!a.countySubdivision || !RO_COUNTIES.has(a.countySubdivision)) {
    add(
      'COUNTY_CODE',
      'CIUS-RO',
      `${path}/CountrySubentity`,
      `a Romanian address names its county as RO-XX (ISO 3166-2:RO), not ${a.countySubdivision ?? 'nothing'}`,
    );
    return;
  }
  if (a.countySubdivision === 'RO-B' && !BUCHAREST_SECTORS.has(a.city.replace(/\s+/g, '').toUpperCase())) {
    add('BUCHAREST_SECTOR', 'CIUS-RO', `${path}/CityName`, `in Bucharest (RO-B) the city is its sector, SECTOR1 to SECTOR6, not ${a.city}`);
  }
}

function arithmetic(doc: EInvoiceDocument, add: Add): void {
  const d = (v: string) => new Decimal(v);
  const lineSum = doc.lines.reduce((acc, l) => acc.plus(l.netAmount), new Decimal(0));
  if (!lineSum.equals(d(doc.totals.lineExtension))) {
    add('TOTALS', 'BR-CO-10', 'LegalMonetaryTotal/LineExtensionAmount', `the lines add up to ${lineSum.toFixed(2)}, not ${doc.totals.lineExtension}`);
  }
  if (!d(doc.totals.taxExclusive).equals(d(doc.totals.lineExtension))) {
    add(
      'TOTALS',
      'BR-CO-13',
      'LegalMonetaryTotal/TaxExclusiveAmount',
      'without allowances or charges the amount without VAT is the sum of the lines',
    );
  }
  const taxSum = doc.vat.reduce((acc, v) => acc.plus(v.taxAmount), new Decimal(0));
  if (!taxSum.equals(d(doc.totals.taxAmount)))
    add('TOTALS', 'BR-CO-14', 'TaxTotal/TaxAmount', `the VAT subtotals add up to ${taxSum.toFixed(2)}, not ${doc.totals.taxAmount}`);
  if (!d(doc.totals.taxExclusive).plus(doc.totals.taxAmount).equals(d(doc.totals.taxInclusive))) {
    add('TOTALS', 'BR-CO-15', 'LegalMonetaryTotal/TaxInclusiveAmount', 'the amount with VAT is the amount without VAT plus the VAT');
  }
  if (!d(doc.totals.payable).equals(d(doc.totals.taxInclusive))) {
    add('TOTALS', 'BR-CO-16', 'LegalMonetaryTotal/PayableAmount', 'without prepayment or rounding the payable amount is the amount with VAT');
  }
  doc.vat.forEach((v, i) => {
    const lines = doc.lines.filter((l) => d(l.vatRate).equals(d(v.rate)));
    const taxable = lines.reduce((acc, l) => acc.plus(l.netAmount), new Decimal(0));
    if (!taxable.equals(d(v.taxableAmount))) {
      add(
        'VAT_SUBTOTAL',
        'BR-S-08',
        `TaxTotal/TaxSubtotal[${i + 1}]/TaxableAmount`,
        `the lines at ${v.rate}% add up to ${taxable.toFixed(2)}, not ${v.taxableAmount}`,
      );
    }
    // VAT is rounded per line (DOMAIN.md), so the rate's VAT may differ from taxable x rate by a cent per line
    const expected = d(v.taxableAmount).times(v.rate).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (
      expected
        .minus(v.taxAmount)
        .abs()
        .greaterThan(new Decimal('0.01').times(Math.max(lines.length, 1)))
    ) {
      add(
        'VAT_SUBTOTAL',
        'BR-S-09',
        `TaxTotal/TaxSubtotal[${i + 1}]/TaxAmount`,
        `${v.rate}% of ${v.taxableAmount} is ${expected.toFixed(2)}, not ${v.taxAmount}`,
      );
    }
  });
  const rates = new Set(doc.vat.map((v) => d(v.rate).toFixed()));
  for (const line of doc.lines) {
    if (!rates.has(d(line.vatRate).toFixed()))
      add('VAT_SUBTOTAL', 'EN16931', 'TaxTotal/TaxSubtotal', `no VAT subtotal for the ${line.vatRate}% of line ${line.id}`);
  }
}

/** The checks of one party alone: for a seller profile or a buyer before anything is built. */
export function partyViolations(p: EParty, role: 'seller' | 'buyer'): Violation[] {
  const out: Violation[] = [];
  party(p, role === 'seller' ? 'AccountingSupplierParty' : 'AccountingCustomerParty', role === 'seller', (code, rule, path, message) =>
    out.push({ code, rule, path, message }),
  );
  return out;
}

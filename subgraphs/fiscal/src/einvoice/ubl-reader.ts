import { create } from 'xmlbuilder2';
import type { EAddress, EInvoiceDocument, ELine, EParty } from './document.ts';
import { UBL_NS } from './ubl.ts';

/**
 * Reads a UBL 2.1 Invoice or CreditNote back into the document model, namespace-aware (any
 * prefixes), so the same CIUS-RO checks run on what was actually sent: the sandbox authority
 * does this with every upload. Throws UnreadableDocument when the text is not a UBL invoice or
 * credit note at all. Missing elements read as empty strings (the checks then name them).
 */

export class UnreadableDocument extends Error {
  override name = 'UnreadableDocument';
}

type El = {
  localName: string;
  namespaceURI: string | null;
  textContent: string | null;
  childNodes: ArrayLike<{ nodeType: number }>;
  getAttribute(name: string): string | null;
};

const ELEMENT = 1;

function children(el: El | null, ns: string, name: string): El[] {
  if (!el) return [];
  return Array.from(el.childNodes as ArrayLike<El & { nodeType: number }>).filter(
    (n) => n.nodeType === ELEMENT && n.localName === name && n.namespaceURI === ns,
  );
}

/** Follows a path of `cac:`/`cbc:` steps from an element; the first match at each step. */
function at(el: El | null, path: string): El | null {
  let node: El | null = el;
  for (const step of path.split('/')) {
    const [prefix, name] = step.split(':') as ['cac' | 'cbc', string];
    node = children(node, UBL_NS[prefix], name)[0] ?? null;
    if (!node) return null;
  }
  return node;
}

const text = (el: El | null, path: string): string => at(el, path)?.textContent?.trim() ?? '';
const optional = (el: El | null, path: string): string | null => text(el, path) || null;

function address(el: El | null): EAddress {
  return {
    street: text(el, 'cbc:StreetName'),
    city: text(el, 'cbc:CityName'),
    countySubdivision: optional(el, 'cbc:CountrySubentity'),
    postalCode: optional(el, 'cbc:PostalZone'),
    countryCode: text(el, 'cac:Country/cbc:IdentificationCode'),
  };
}

function party(root: El, element: string): EParty {
  const p = at(root, `cac:${element}/cac:Party`);
  return {
    name: text(p, 'cac:PartyLegalEntity/cbc:RegistrationName'),
    vatId: optional(p, 'cac:PartyTaxScheme/cbc:CompanyID'),
    companyId: optional(p, 'cac:PartyLegalEntity/cbc:CompanyID'),
    address: address(at(p, 'cac:PostalAddress')),
  };
}

export function readUbl(xml: string): EInvoiceDocument {
  let root: El;
  try {
    root = create(xml).root().node as unknown as El;
  } catch (error) {
    throw new UnreadableDocument(`not XML: ${(error as Error).message}`);
  }
  const invoice = root.localName === 'Invoice' && root.namespaceURI === UBL_NS.INVOICE;
  const creditNote = root.localName === 'CreditNote' && root.namespaceURI === UBL_NS.CREDIT_NOTE;
  if (!invoice && !creditNote) throw new UnreadableDocument(`the root element is not a UBL 2.1 Invoice or CreditNote (${root.localName})`);
  const lines: ELine[] = children(root, UBL_NS.cac, invoice ? 'InvoiceLine' : 'CreditNoteLine').map((l) => {
    const quantity = at(l, invoice ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity');
    return {
      id: text(l, 'cbc:ID'),
      name: text(l, 'cac:Item/cbc:Name'),
      quantity: quantity?.textContent?.trim() ?? '',
      unitCode: quantity?.getAttribute('unitCode') ?? '',
      unitPrice: text(l, 'cac:Price/cbc:PriceAmount'),
      netAmount: text(l, 'cbc:LineExtensionAmount'),
      vatRate: text(l, 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent'),
      vatCategory: text(l, 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID'),
    };
  });
  const taxTotal = at(root, 'cac:TaxTotal');
  const preceding = at(root, 'cac:BillingReference/cac:InvoiceDocumentReference');
  return {
    kind: invoice ? 'INVOICE' : 'CREDIT_NOTE',
    customizationId: text(root, 'cbc:CustomizationID'),
    typeCode: text(root, invoice ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode'),
    number: text(root, 'cbc:ID'),
    issueDate: text(root, 'cbc:IssueDate'),
    dueDate: optional(root, invoice ? 'cbc:DueDate' : 'cac:PaymentMeans/cbc:PaymentDueDate'),
    currency: text(root, 'cbc:DocumentCurrencyCode'),
    precedingInvoice: preceding ? { number: text(preceding, 'cbc:ID'), issueDate: text(preceding, 'cbc:IssueDate') } : null,
    seller: party(root, 'AccountingSupplierParty'),
    buyer: party(root, 'AccountingCustomerParty'),
    payeeIban: optional(root, 'cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID'),
    lines,
    vat: children(taxTotal, UBL_NS.cac, 'TaxSubtotal').map((s) => ({
      rate: text(s, 'cac:TaxCategory/cbc:Percent'),
      category: text(s, 'cac:TaxCategory/cbc:ID'),
      taxableAmount: text(s, 'cbc:TaxableAmount'),
      taxAmount: text(s, 'cbc:TaxAmount'),
    })),
    totals: {
      lineExtension: text(root, 'cac:LegalMonetaryTotal/cbc:LineExtensionAmount'),
      taxExclusive: text(root, 'cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount'),
      taxAmount: text(taxTotal, 'cbc:TaxAmount'),
      taxInclusive: text(root, 'cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount'),
      payable: text(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount'),
    },
  };
}

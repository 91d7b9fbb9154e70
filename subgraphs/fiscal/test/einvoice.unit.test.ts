import { describe, expect, it } from 'vitest';
import { anafMessages, parseStatusAnswer, parseUploadAnswer } from '../src/einvoice/anaf-rest.ts';
import { AuthorityRejected, AuthorityUnavailable } from '../src/einvoice/authority.ts';
import { validateEInvoice, validCui } from '../src/einvoice/cius-ro.ts';
import { CIUS_RO_CUSTOMIZATION_ID, type EInvoiceDocument } from '../src/einvoice/document.ts';
import { eInvoiceOf } from '../src/einvoice/from-invoice.ts';
import { SandboxAuthority } from '../src/einvoice/sandbox-authority.ts';
import { toUbl } from '../src/einvoice/ubl.ts';
import { readUbl, UnreadableDocument } from '../src/einvoice/ubl-reader.ts';
import { addWorkingDays, isWorkingDay, orthodoxEaster } from '../src/einvoice/working-days.ts';
import { unzip } from '../src/einvoice/zip.ts';

const seller = {
  name: 'Comanda Demo SRL',
  vatId: 'RO12345674',
  companyId: '12345674',
  address: { street: 'Strada Demo 1', city: 'SECTOR1', countySubdivision: 'RO-B', postalCode: '010011', countryCode: 'RO' },
};
const buyer = {
  name: 'Carpatica Distribuție SRL',
  vatId: 'RO18547290',
  companyId: null,
  address: { street: 'Str. Memorandumului 28', city: 'Cluj-Napoca', countySubdivision: 'RO-CJ', postalCode: '400114', countryCode: 'RO' },
};

/** An invoice of 2 x 100.00 at 21% and 1 x 50.00 at 11%, built the way queueEInvoice builds it. */
function invoice(): EInvoiceDocument {
  return eInvoiceOf(
    {
      number: 'CMD-000123',
      issuedAt: new Date('2026-03-13T21:30:00Z'),
      dueDate: new Date('2026-04-12T21:30:00Z'),
      currency: 'RON',
      total: '297.50',
      vatBreakdown: [
        { rate: '11', taxableAmount: '50.00', taxAmount: '5.50' },
        { rate: '21', taxableAmount: '200.00', taxAmount: '42.00' },
      ],
    },
    [
      { name: 'Coffee grinder', sku: 'DEMO-015-S', quantity: '2', vatRate: '21', netAmount: '200.00', taxAmount: '42.00', total: '242.00' },
      { name: 'Honey 500g & jam <gift>', sku: 'DEMO-026-S', quantity: '1', vatRate: '11', netAmount: '50.00', taxAmount: '5.50', total: '55.50' },
    ],
    { seller, buyer, payeeIban: 'RO49AAAA1B31007593840000' },
    'Europe/Bucharest',
  );
}

const codes = (doc: EInvoiceDocument) => validateEInvoice(doc).map((v) => v.code);

describe('an e-invoice built from an issued invoice', () => {
  it('is a CIUS-RO invoice: type 380, dates in the seller timezone, net lines and totals that add up', () => {
    const doc = invoice();
    expect(doc).toMatchObject({ customizationId: CIUS_RO_CUSTOMIZATION_ID, typeCode: '380', issueDate: '2026-03-13', dueDate: '2026-04-13' });
    // 22:30 UTC on 13 March is already the 14th in Bucharest (UTC+2); in April (summer time, UTC+3) 21:30 UTC is the next day
    expect(
      eInvoiceOf({ ...invoiceFacts(), issuedAt: new Date('2026-03-13T22:30:00Z') }, [], { seller, buyer, payeeIban: null }, 'Europe/Bucharest')
        .issueDate,
    ).toBe('2026-03-14');
    expect(doc.lines[0]).toMatchObject({ quantity: '2', unitPrice: '100', netAmount: '200.00', vatCategory: 'S', unitCode: 'H87' });
    expect(doc.totals).toEqual({ lineExtension: '250.00', taxExclusive: '250.00', taxAmount: '47.50', taxInclusive: '297.50', payable: '297.50' });
    expect(validateEInvoice(doc)).toEqual([]);
  });
});

function invoiceFacts() {
  return { number: 'CMD-1', issuedAt: new Date(), dueDate: new Date(), currency: 'RON', total: '0', vatBreakdown: [] };
}

describe('the CIUS-RO checks', () => {
  it('refuse a wrong customization and type codes', () => {
    expect(codes({ ...invoice(), customizationId: 'urn:cen.eu:en16931:2017' })).toEqual(['CUSTOMIZATION_ID']);
    expect(codes({ ...invoice(), typeCode: '381' })).toEqual(['TYPE_CODE']);
    for (const ok of ['380', '384', '389', '751']) expect(codes({ ...invoice(), typeCode: ok })).toEqual([]);
    const note = { ...invoice(), kind: 'CREDIT_NOTE' as const, precedingInvoice: { number: 'CMD-000100', issueDate: '2026-03-01' } };
    expect(codes({ ...note, typeCode: '381' })).toEqual([]);
    expect(codes({ ...note, typeCode: '380' })).toEqual(['TYPE_CODE']);
    expect(codes({ ...note, typeCode: '381', precedingInvoice: null })).toEqual(['PRECEDING_INVOICE']);
  });

  it('want Romanian counties as RO-XX and, in Bucharest, the sector as the city', () => {
    const at = (address: Partial<EInvoiceDocument['buyer']['address']>) =>
      codes({ ...invoice(), buyer: { ...buyer, address: { ...buyer.address, ...address } } });
    expect(at({ countySubdivision: 'Cluj' })).toEqual(['COUNTY_CODE']);
    expect(at({ countySubdivision: null })).toEqual(['COUNTY_CODE']);
    expect(at({ countySubdivision: 'RO-XX' })).toEqual(['COUNTY_CODE']);
    expect(at({ countySubdivision: 'RO-B', city: 'Bucuresti' })).toEqual(['BUCHAREST_SECTOR']);
    expect(at({ countySubdivision: 'RO-B', city: 'SECTOR7' })).toEqual(['BUCHAREST_SECTOR']);
    expect(at({ countySubdivision: 'RO-B', city: 'Sector 3' })).toEqual([]);
    // abroad, no county is needed
    expect(at({ countySubdivision: null, countryCode: 'DE', city: 'Berlin' })).toEqual([]);
  });

  it('allow at most 2 decimals in amounts', () => {
    const doc = invoice();
    expect(codes({ ...doc, totals: { ...doc.totals, payable: '297.500' } })).toEqual(['DECIMALS']);
    expect(codes({ ...doc, lines: [{ ...doc.lines[0]!, netAmount: '200.001' }, doc.lines[1]!] })).toEqual(['DECIMALS']);
    expect(codes({ ...doc, vat: [{ ...doc.vat[0]!, taxAmount: '5.5' }, doc.vat[1]!] })).toEqual([]);
  });

  it('check the sums the way EN 16931 does', () => {
    const doc = invoice();
    expect(validateEInvoice({ ...doc, totals: { ...doc.totals, lineExtension: '251.00', taxExclusive: '251.00' } }).map((v) => v.rule)).toContain(
      'BR-CO-10',
    );
    expect(validateEInvoice({ ...doc, totals: { ...doc.totals, taxInclusive: '297.49' } }).map((v) => v.rule)).toEqual(['BR-CO-15', 'BR-CO-16']);
    expect(validateEInvoice({ ...doc, vat: [{ ...doc.vat[0]!, taxAmount: '7.50' }, doc.vat[1]!] }).map((v) => v.rule)).toEqual([
      'BR-CO-14',
      'BR-S-09',
    ]);
    expect(
      validateEInvoice({ ...doc, vat: [doc.vat[1]!], totals: { ...doc.totals, taxAmount: '42.00', taxInclusive: '292.00', payable: '292.00' } }).map(
        (v) => v.code,
      ),
    ).toEqual(['VAT_SUBTOTAL']);
  });

  it('identify both parties, with valid Romanian CUIs', () => {
    expect(validCui('RO18547290')).toBe(true);
    expect(validCui('4221306')).toBe(true);
    expect(validCui('12345678')).toBe(false);
    expect(codes({ ...invoice(), buyer: { ...buyer, vatId: 'RO12345678' } })).toEqual(['CUI']);
    expect(codes({ ...invoice(), buyer: { ...buyer, vatId: null, companyId: null } })).toEqual(['BUYER_ID']);
    expect(codes({ ...invoice(), seller: { ...seller, name: ' ' } })).toEqual(['SELLER_NAME']);
    expect(codes({ ...invoice(), buyer: { ...buyer, address: { ...buyer.address, street: '' } } })).toEqual(['ADDRESS_STREET']);
    expect(codes({ ...invoice(), currency: 'EUR' })).toEqual(['TAX_CURRENCY']);
    expect(codes({ ...invoice(), lines: [], totals: { ...invoice().totals, lineExtension: '0.00' } })).toContain('LINES');
    expect(codes({ ...invoice(), number: 'CMD-ABC' })).toEqual(['DOCUMENT_NUMBER']);
  });
});

describe('UBL 2.1', () => {
  it('writes an Invoice in the UBL namespaces that reads back as the same document', () => {
    const doc = invoice();
    const xml = toUbl(doc);
    expect(xml).toContain('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"');
    expect(xml).toContain(`<cbc:CustomizationID>${CIUS_RO_CUSTOMIZATION_ID}</cbc:CustomizationID>`);
    expect(xml).toContain('<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>');
    expect(xml).toContain('<cbc:TaxAmount currencyID="RON">47.50</cbc:TaxAmount>');
    expect(xml).toContain('Honey 500g &amp; jam &lt;gift&gt;');
    // the XSD's sequence: the parties before the tax total, the totals before the lines
    const order = [
      'cbc:CustomizationID',
      'cbc:ID',
      'cbc:IssueDate',
      'cbc:DueDate',
      'cbc:InvoiceTypeCode',
      'cbc:DocumentCurrencyCode',
      'cac:AccountingSupplierParty',
      'cac:AccountingCustomerParty',
      'cac:PaymentMeans',
      'cac:TaxTotal',
      'cac:LegalMonetaryTotal',
      'cac:InvoiceLine',
    ];
    const positions = order.map((tag) => xml.indexOf(`<${tag}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(readUbl(xml)).toEqual(doc);
  });

  it('writes a CreditNote (381, the corrected invoice referenced, no root DueDate) that reads back the same', () => {
    const doc: EInvoiceDocument = {
      ...invoice(),
      kind: 'CREDIT_NOTE',
      typeCode: '381',
      number: 'CMD-000124',
      precedingInvoice: { number: 'CMD-000123', issueDate: '2026-03-13' },
    };
    const xml = toUbl(doc);
    expect(xml).toContain('<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"');
    expect(xml).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
    expect(xml).toContain('<cbc:CreditedQuantity unitCode="H87">2</cbc:CreditedQuantity>');
    expect(xml).not.toMatch(/<cbc:DueDate>/);
    expect(readUbl(xml)).toEqual(doc);
    expect(validateEInvoice(readUbl(xml))).toEqual([]);
  });

  it('reads any prefixes, and refuses what is not a UBL invoice', () => {
    const xml = toUbl(invoice()).replaceAll('cbc:', 'b:').replaceAll('xmlns:cbc', 'xmlns:b');
    expect(readUbl(xml).totals.payable).toBe('297.50');
    expect(() => readUbl('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')).toThrow(UnreadableDocument);
    expect(() => readUbl('not xml at all')).toThrow(UnreadableDocument);
  });
});

describe('the sandbox authority', () => {
  let clock = 0;
  const authority = () => new SandboxAuthority({ processingMs: 1000, now: () => clock, unregisteredSellers: ['4221306'] });

  it('answers an upload with an index at once and its verdict later, like ANAF', async () => {
    const spv = authority();
    clock = 0;
    const { uploadIndex } = await spv.upload(toUbl(invoice()), { sellerCif: '12345674', standard: 'UBL' });
    expect(await spv.status(uploadIndex)).toEqual({ state: 'processing' });
    clock = 1000;
    expect(await spv.status(uploadIndex)).toEqual({ state: 'ok', downloadId: `d${uploadIndex}` });
    expect((await spv.download(`d${uploadIndex}`)).messages).toEqual([]);
  });

  it('says nok, with messages, for what breaks the rules or comes from an unregistered seller', async () => {
    const spv = authority();
    clock = 0;
    const broken = toUbl(invoice()).replace(
      '<cbc:CountrySubentity>RO-CJ</cbc:CountrySubentity>',
      '<cbc:CountrySubentity>Cluj</cbc:CountrySubentity>',
    );
    const bad = await spv.upload(broken, { sellerCif: '12345674', standard: 'UBL' });
    const stranger = await spv.upload(toUbl({ ...invoice(), seller: { ...seller, vatId: 'RO4221306', companyId: '4221306' } }), {
      sellerCif: '4221306',
      standard: 'UBL',
    });
    clock = 5000;
    expect(await spv.status(bad.uploadIndex)).toMatchObject({ state: 'nok' });
    expect((await spv.download(`d${bad.uploadIndex}`)).messages).toEqual([{ code: 'COUNTY_CODE', message: expect.stringContaining('RO-XX') }]);
    expect((await spv.download(`d${stranger.uploadIndex}`)).messages.map((m) => m.code)).toEqual(['SELLER_NOT_REGISTERED']);
  });

  it('refuses unreadable uploads at once, and fails while down', async () => {
    const spv = authority();
    await expect(spv.upload('<nope/>', { sellerCif: '12345674', standard: 'UBL' })).rejects.toBeInstanceOf(AuthorityRejected);
    await expect(spv.upload(toUbl(invoice()), { sellerCif: '12345674', standard: 'CN' })).rejects.toBeInstanceOf(AuthorityRejected);
    spv.goDown();
    await expect(spv.upload(toUbl(invoice()), { sellerCif: '12345674', standard: 'UBL' })).rejects.toBeInstanceOf(AuthorityUnavailable);
    spv.comeBack();
    await expect(spv.upload(toUbl(invoice()), { sellerCif: '12345674', standard: 'UBL' })).resolves.toMatchObject({
      uploadIndex: expect.any(String),
    });
  });
});

describe("ANAF's answers (the REST adapter's parsing)", () => {
  it('reads an upload index, or the errors of a refused upload', () => {
    expect(
      parseUploadAnswer(
        '<?xml version="1.0"?><header xmlns="mfp:anaf:dgti:spv:respUploadFisier:v1" dateResponse="202108051140" ExecutionStatus="0" index_incarcare="3828"/>',
      ),
    ).toEqual({ uploadIndex: '3828' });
    expect(() =>
      parseUploadAnswer(
        '<header xmlns="mfp:anaf:dgti:spv:respUploadFisier:v1" ExecutionStatus="1"><Errors errorMessage="Fisierul transmis nu este valid. org.xml.sax.SAXParseException"/></header>',
      ),
    ).toThrow(/nu este valid/);
  });

  it('reads a status: processing, ok or nok with the download id, errors otherwise', () => {
    expect(parseStatusAnswer('<header xmlns="mfp:anaf:dgti:efactura:stareMesajFactura:v1" stare="in prelucrare"/>')).toEqual({ state: 'processing' });
    expect(parseStatusAnswer('<header stare="ok" id_descarcare="1234"/>')).toEqual({ state: 'ok', downloadId: '1234' });
    expect(parseStatusAnswer('<header stare="nok" id_descarcare="1235"/>')).toEqual({ state: 'nok', downloadId: '1235' });
    expect(() => parseStatusAnswer('<header stare="XML cu erori nepreluat de sistem"/>')).toThrow(AuthorityRejected);
    expect(() => parseStatusAnswer('<header><Errors errorMessage="Nu aveti dreptul de inteorgare pentru id_incarcare= 18"/></header>')).toThrow(
      /dreptul/,
    );
  });

  it('reads the messages out of a downloaded ZIP', () => {
    // a ZIP as ANAF sends a nok answer: the error XML (deflated) and a signature (stored)
    const archive = Buffer.from(
      'UEsDBBQAAAAIAHpod12uoSxe7wAAAFUBAAAOAAAANTAwMDAwMDEyMy54bWx1kFFLw0AMx9/9FOHe69rpcJa2A8sGPogw9XmkvbTLuN5J7q5s396b+iaGkED45/8jqTbnycBM4tnZWhW3uQKyvdNsx1p9vO+ytdo0N9WRUJNAEltfq2n4LNHiUOoxcEkD9iEKlj6g0At5PO1+J3Oh4NlqOh/Y9igpqVar/DuK5Z2ClocDTRzIhkRfr+4flo+5aqqtiBOga02GHse0ty1hRsMahWE0rkNDkCQumYLQGA2W8LTP9q9ZUeTQumiDXN5il7w5XCAIdZEJPMKQWroxGjhFTSGayGrxL/Qvok2IHHycEAxbZuPkur/4+VLzBVBLAwQUAAAAAAB6aHddslQsiwwAAAAMAAAAGAAAAHNlbW5hdHVyYV81MDAwMDAwMTIzLnhtbDxTaWduYXR1cmUvPlBLAQIUAxQAAAAIAHpod12uoSxe7wAAAFUBAAAOAAAAAAAAAAAAAACAAQAAAAA1MDAwMDAwMTIzLnhtbFBLAQIUAxQAAAAAAHpod12yVCyLDAAAAAwAAAAYAAAAAAAAAAAAAACAARsBAABzZW1uYXR1cmFfNTAwMDAwMDEyMy54bWxQSwUGAAAAAAIAAgCCAAAAXQEAAAAA',
      'base64',
    );
    const files = unzip(archive);
    expect([...files.keys()]).toEqual(['5000000123.xml', 'semnatura_5000000123.xml']);
    expect(files.get('semnatura_5000000123.xml')!.toString()).toBe('<Signature/>');
    expect(anafMessages(files.get('5000000123.xml')!.toString()).map((m) => m.code)).toEqual(['BR-RO-110', 'BR-CO-10']);
    expect(() => unzip(Buffer.from('not a zip'))).toThrow(/not a ZIP/);
  });
});

describe('the submission deadline: 5 working days after the issue date', () => {
  it('skips weekends', () => {
    // Friday 13 March 2026 -> Friday 20 March
    expect(addWorkingDays('2026-03-13', 5)).toBe('2026-03-20');
    // Saturday counts from Monday
    expect(addWorkingDays('2026-03-14', 5)).toBe('2026-03-20');
  });

  it('skips Romanian public holidays, the Orthodox Easter and Pentecost included', () => {
    expect(orthodoxEaster(2025).toISOString().slice(0, 10)).toBe('2025-04-20');
    expect(orthodoxEaster(2026).toISOString().slice(0, 10)).toBe('2026-04-12');
    expect(isWorkingDay('2026-04-10')).toBe(false); // Good Friday
    expect(isWorkingDay('2026-04-13')).toBe(false); // Easter Monday
    expect(isWorkingDay('2026-06-01')).toBe(false); // Children's Day and Pentecost Monday
    expect(isWorkingDay('2026-12-01')).toBe(false); // National Day
    // Wednesday 23 Dec 2026: 24, 28, 29, 30, 31 (25-27 holiday and weekend)
    expect(addWorkingDays('2026-12-23', 5)).toBe('2026-12-31');
    // Thursday 31 Dec 2026: 1, 2 Jan holiday/weekend, 6, 7 Jan holidays
    expect(addWorkingDays('2026-12-31', 5)).toBe('2027-01-12');
  });
});

import { DomainError, detectDelimiter, MAX_IMPORT_ROWS } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { NO_CONSENT } from '../src/domain/consent.ts';
import { fillFromRow, parseCustomerCsv, rowToCustomer } from '../src/domain/csv-import.ts';
import type { CustomerState } from '../src/domain/customer.ts';
import { AnafRegistry, type FetchLike, fromAnaf } from '../src/registry/anaf.ts';
import { RegistryUnavailable } from '../src/registry/company-registry.ts';
import { SANDBOX_TIMEOUT_CUI, sandboxAnafFetch } from '../src/registry/sandbox.ts';

const now = new Date('2026-03-10T10:00:00Z');

function fileError(text: string): string {
  try {
    parseCustomerCsv(text);
  } catch (error) {
    if (error instanceof DomainError) return error.errors[0]!.code;
    throw error;
  }
  return 'none';
}

describe('reading a CSV file', () => {
  it('takes commas, semicolons or tabs, as the header uses them', () => {
    expect(detectDelimiter('name;email;"a,b"\nx,y')).toBe(';');
    expect(detectDelimiter('name,email\n')).toBe(',');
    expect(detectDelimiter('name\temail')).toBe('\t');
  });

  it('maps English and Romanian headers, keeps the file lines of rows and lists unknown columns', () => {
    const csv = '\uFEFFNume;E-mail;CUI;Județ;Culoare preferată\r\nAna;ana@x.ro;;;albastru\r\n\r\n"Firma\r\nSRL";;RO18547290;CJ;\r\nBob;;;;\r\n';
    const parsed = parseCustomerCsv(csv);
    expect(parsed.headers).toEqual({ name: 'Nume', email: 'E-mail', taxId: 'CUI', region: 'Județ' });
    expect(parsed.ignoredColumns).toEqual(['Culoare preferată']);
    expect(parsed.rows.map((r) => [r.line, r.cells.name])).toEqual([
      [2, 'Ana'],
      [4, 'Firma\r\nSRL'],
      [6, 'Bob'],
    ]);
  });

  it('refuses a file it cannot read as a whole', () => {
    expect(fileError('email\nana@x.ro')).toBe('MISSING_COLUMN');
    expect(fileError('name,nume\nx,y')).toBe('DUPLICATE_COLUMN');
    expect(fileError('name\n"Ana')).toBe('INVALID_CSV');
    expect(fileError('')).toBe('IMPORT_EMPTY');
    expect(fileError('name\n')).toBe('IMPORT_EMPTY');
    expect(fileError(`name\n${'x\n'.repeat(MAX_IMPORT_ROWS + 1)}`)).toBe('IMPORT_TOO_LARGE');
  });
});

describe('a row as a customer', () => {
  const parse = (csv: string) => {
    const parsed = parseCustomerCsv(csv);
    return parsed.rows.map((row) => rowToCustomer(row, parsed.headers, now));
  };

  it('makes a company of a row with a tax id, an address with RO by default, and consent from IMPORT', () => {
    const [row] = parse('name,tax_id,address,city,postal_code,tags,marketing_consent\nFirma SRL,RO18547290,Str. A 1,Cluj,400620,b2b|Wholesale,da\n');
    expect(row).toMatchObject({
      ok: true,
      customer: {
        kind: 'COMPANY',
        taxId: 'RO18547290',
        tags: ['b2b', 'wholesale'],
        consent: { granted: true, source: 'IMPORT', at: now },
        addresses: [{ line1: 'Str. A 1', city: 'Cluj', countryCode: 'RO', defaultBilling: true }],
      },
    });
  });

  it('reports every problem of a bad row with its line and the column as the file names it', () => {
    const [, bad] = parse('Name,Email,Kind,Consent,Tax ID\nAna,,,,\n,nope,ROBOT,maybe,12345678,extra\n');
    expect(bad).toEqual({
      ok: false,
      problems: [
        { line: 3, code: 'EXTRA_CELLS', message: expect.any(String), column: null },
        { line: 3, code: 'INVALID_KIND', message: expect.any(String), column: 'Kind' },
        { line: 3, code: 'INVALID_CONSENT', message: expect.any(String), column: 'Consent' },
        { line: 3, code: 'NAME_REQUIRED', message: 'a customer needs a name', column: 'Name' },
        { line: 3, code: 'INVALID_EMAIL', message: 'the email address is not valid', column: 'Email' },
        { line: 3, code: 'INVALID_TAX_ID', message: 'the CUI check digit does not match', column: 'Tax ID' },
      ],
    });
    const [invalid] = parse('name,email,tax_id,city\n,nope,12345678,Cluj\n');
    expect(invalid!.ok || invalid!.problems.map((p) => [p.code, p.column])).toEqual([
      ['NAME_REQUIRED', 'name'],
      ['INVALID_EMAIL', 'email'],
      ['ADDRESS_LINE_REQUIRED', null],
      ['INVALID_TAX_ID', 'tax_id'],
    ]);
  });

  it('only fills what a matched customer lacks, and never re-subscribes', () => {
    const [row] = parse('name,email,phone,tags,marketing_consent,address,city\nAna P,ana@x.ro,0721000111,new,yes,Str. A 1,Cluj\n');
    if (!row?.ok) throw new Error('expected a valid row');
    const state: CustomerState = {
      id: 'ana',
      kind: 'PERSON',
      name: 'Ana Popescu',
      email: 'ana@x.ro',
      phone: null,
      taxId: null,
      tags: ['old'],
      notes: null,
      consent: { granted: false, at: new Date('2025-01-01'), source: 'WEB' },
      addresses: [],
    };
    const patch = fillFromRow(state, row.customer);
    expect(patch).toMatchObject({ email: undefined, phone: '0721000111', addTags: ['new'], marketingConsent: undefined });
    expect(patch.name).toBeUndefined();
    expect(patch.addAddresses).toEqual([{ label: null, line1: 'Str. A 1', city: 'Cluj', region: null, postalCode: null, countryCode: 'RO' }]);
    expect(fillFromRow({ ...state, consent: NO_CONSENT }, row.customer).marketingConsent).toEqual({ granted: true, source: 'IMPORT', at: now });
  });
});

describe('the company register adapter (ANAF) and its sandbox', () => {
  const sandbox = (timeoutMs = 3000) => new AnafRegistry({ name: 'sandbox', fetch: sandboxAnafFetch(), timeoutMs, today: () => '2026-03-10' });

  it('reads a VAT-registered company from an ANAF answer', async () => {
    expect(await sandbox().lookupCompany('RO18547290')).toEqual({
      taxId: 'RO18547290',
      name: 'CARPATICA DISTRIBUȚIE SRL',
      registrationNumber: 'J12/2451/2006',
      address: { line1: 'Str. Fabricii, nr. 12', city: 'Cluj-Napoca', region: 'RO-CJ', postalCode: '400620', countryCode: 'RO' },
      vatRegistered: true,
      active: true,
    });
  });

  it('knows inactive, struck-off and non-VAT companies, and not others', async () => {
    expect(await sandbox().lookupCompany('31415920')).toMatchObject({ taxId: '31415920', vatRegistered: false, active: false });
    expect(await sandbox().lookupCompany('33667788')).toMatchObject({ active: false });
    expect(await sandbox().lookupCompany('22334451')).toMatchObject({ vatRegistered: false, active: true });
    expect(await sandbox().lookupCompany('44556670')).toBeNull();
  });

  it('puts a Bucharest sector on the street line and names the city', async () => {
    expect((await sandbox().lookupCompany('12345674'))?.address).toEqual({
      line1: 'Bd. Magheru, nr. 7, Sector 1',
      city: 'Bucureşti',
      region: 'RO-B',
      postalCode: '010325',
      countryCode: 'RO',
    });
  });

  it('gives up at its deadline when the register does not answer', async () => {
    const started = Date.now();
    await expect(sandbox(50).lookupCompany(SANDBOX_TIMEOUT_CUI)).rejects.toBeInstanceOf(RegistryUnavailable);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('treats HTTP errors and unexpected answers as unavailable', async () => {
    const answering =
      (response: Response): FetchLike =>
      async () =>
        response;
    const failing = new AnafRegistry({ name: 'anaf', fetch: answering(new Response('busy', { status: 503 })) });
    await expect(failing.lookupCompany('18547290')).rejects.toThrow(/HTTP 503/);
    const odd = new AnafRegistry({ name: 'anaf', fetch: answering(Response.json({ cod: 500, message: 'Eroare' })) });
    await expect(odd.lookupCompany('18547290')).rejects.toThrow(/Eroare/);
    const notJson = new AnafRegistry({ name: 'anaf', fetch: answering(new Response('<html>')) });
    await expect(notJson.lookupCompany('18547290')).rejects.toBeInstanceOf(RegistryUnavailable);
  });

  it('falls back to the one-line address when the register has no street', () => {
    const record = fromAnaf({
      date_generale: { cui: 4221306, denumire: ' X SA ', adresa: 'SAT Y, NR. 1' },
      adresa_sediu_social: { sdenumire_Localitate: 'Sat Y', sdenumire_Judet: 'GALAŢI' },
    });
    expect(record).toMatchObject({ taxId: '4221306', name: 'X SA', address: { line1: 'SAT Y, NR. 1', city: 'Y', region: 'GALAŢI' }, active: true });
  });
});

import { DomainError, type CsvRow as KitCsvRow, type ParsedCsv as KitParsedCsv, parseCsv } from '@comanda/kit';
import type { NewAddressInput } from './addresses.ts';
import type { ConsentState } from './consent.ts';
import { type CustomerKind, type CustomerPatch, type CustomerState, type NewCustomer, type ValidCustomer, validateNewCustomer } from './customer.ts';

/**
 * Customers from a spreadsheet: a header row naming the columns (English or Romanian, any case,
 * in any order; unknown columns are ignored and reported), then one customer per row. Commas,
 * semicolons (what a Romanian Excel writes) or tabs separate the cells, as the header shows.
 */

export type ImportColumn =
  | 'kind'
  | 'name'
  | 'email'
  | 'phone'
  | 'taxId'
  | 'tags'
  | 'notes'
  | 'line1'
  | 'city'
  | 'region'
  | 'postalCode'
  | 'countryCode'
  | 'marketingConsent';

/** Header spellings (kit headerKey form: no accents, case, blanks or punctuation). */
const ALIASES: Record<ImportColumn, string[]> = {
  kind: ['kind', 'type', 'tip'],
  name: ['name', 'nume', 'denumire', 'companyname', 'fullname'],
  email: ['email', 'mail', 'emailaddress'],
  phone: ['phone', 'telefon', 'tel', 'mobile', 'mobil'],
  taxId: ['taxid', 'cui', 'cif', 'codfiscal', 'vatid', 'vat'],
  tags: ['tags', 'tag', 'etichete'],
  notes: ['notes', 'note', 'observatii', 'mentiuni'],
  line1: ['address', 'addressline1', 'line1', 'street', 'adresa', 'strada'],
  city: ['city', 'oras', 'localitate'],
  region: ['region', 'county', 'judet', 'state'],
  postalCode: ['postalcode', 'zip', 'zipcode', 'codpostal'],
  countryCode: ['country', 'countrycode', 'tara'],
  marketingConsent: ['marketingconsent', 'consent', 'acordmarketing', 'newsletter'],
};

export type CsvRow = KitCsvRow<ImportColumn>;
export type ParsedCsv = KitParsedCsv<ImportColumn>;

/** Pure: the file's rows, or a DomainError for a file that cannot be read as a whole. */
export function parseCustomerCsv(text: string): ParsedCsv {
  return parseCsv(text, ALIASES, { column: 'name', hint: 'name (name, nume or denumire)' });
}

export interface RowProblem {
  line: number;
  code: string;
  message: string;
  /** the file's header of the cell at fault, when one is */
  column: string | null;
}

const KINDS: Record<string, CustomerKind> = {
  person: 'PERSON',
  pf: 'PERSON',
  persoana: 'PERSON',
  company: 'COMPANY',
  pj: 'COMPANY',
  firma: 'COMPANY',
};
const YES = new Set(['yes', 'y', 'true', '1', 'da', 'x']);
const NO = new Set(['no', 'n', 'false', '0', 'nu']);
const TAG_SEPARATORS = /[,;|]/;

/** Which column a validation problem's field comes from. */
const COLUMN_OF_FIELD: Record<string, ImportColumn> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  taxId: 'taxId',
  tags: 'tags',
  notes: 'notes',
  line1: 'line1',
  city: 'city',
  region: 'region',
  postalCode: 'postalCode',
  countryCode: 'countryCode',
  marketingConsent: 'marketingConsent',
};

export type RowOutcome = { ok: true; customer: ValidCustomer } | { ok: false; problems: RowProblem[] };

/**
 * Pure: one row as a new customer, checked by the same rules as createCustomer. An empty kind
 * is a COMPANY when the row has a tax id; an address is made when the row has a street, city,
 * region or postal code (the country defaults to RO); a marketing answer (yes/no, da/nu) is
 * recorded with source IMPORT.
 */
export function rowToCustomer(row: CsvRow, headers: ParsedCsv['headers'], now: Date): RowOutcome {
  const problems: RowProblem[] = [];
  const column = (c: ImportColumn) => headers[c] ?? null;
  const problem = (code: string, message: string, c: ImportColumn | null) => problems.push({ line: row.line, code, message, column: c && column(c) });
  const { cells } = row;
  if (row.extraCells) problem('EXTRA_CELLS', 'the row has more cells than the header has columns', null);

  const kindText = cells.kind?.toLowerCase();
  const kind = kindText ? KINDS[kindText] : cells.taxId ? 'COMPANY' : 'PERSON';
  if (!kind) problem('INVALID_KIND', 'the kind is PERSON or COMPANY', 'kind');

  const consentText = cells.marketingConsent?.toLowerCase();
  const granted = consentText === undefined ? null : YES.has(consentText) ? true : NO.has(consentText) ? false : undefined;
  if (granted === undefined) problem('INVALID_CONSENT', 'marketing consent is yes or no', 'marketingConsent');

  const hasAddress = [cells.line1, cells.city, cells.region, cells.postalCode].some(Boolean);
  const address: NewAddressInput | null = hasAddress
    ? { line1: cells.line1 ?? '', city: cells.city ?? '', region: cells.region, postalCode: cells.postalCode, countryCode: cells.countryCode ?? 'RO' }
    : null;
  const input: NewCustomer = {
    kind: kind ?? 'PERSON',
    name: cells.name ?? '',
    email: cells.email,
    phone: cells.phone,
    taxId: cells.taxId,
    tags: cells.tags?.split(TAG_SEPARATORS),
    notes: cells.notes,
    address,
    marketingConsent: granted === null || granted === undefined ? null : { granted, source: 'IMPORT', at: now },
  };
  try {
    const customer = validateNewCustomer(input, { now });
    if (problems.length) return { ok: false, problems };
    return { ok: true, customer };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    for (const e of error.errors) {
      const field = e.field?.find((f) => f in COLUMN_OF_FIELD && f !== 'address') ?? null;
      problem(e.code, e.message, field ? COLUMN_OF_FIELD[field]! : null);
    }
    return { ok: false, problems };
  }
}

/**
 * Pure: what a row adds to a customer it matched. An import never overwrites what is known:
 * it fills empty fields, adds tags and new addresses, and records marketing consent only for a
 * customer who has never answered (a file must not re-subscribe someone who unsubscribed).
 * The same file imported again therefore changes nothing.
 */
export function fillFromRow(state: CustomerState, row: ValidCustomer): CustomerPatch {
  const consent: ConsentState | null = state.consent.at === null ? row.consent : null;
  return {
    email: state.email ? undefined : (row.email ?? undefined),
    phone: state.phone ? undefined : (row.phone ?? undefined),
    taxId: state.taxId ? undefined : (row.taxId ?? undefined),
    notes: state.notes ? undefined : (row.notes ?? undefined),
    addTags: row.tags,
    addAddresses: row.addresses.map(({ id: _id, defaultBilling: _b, defaultShipping: _s, ...fields }) => fields),
    marketingConsent: consent?.source ? { granted: consent.granted, source: consent.source, at: consent.at } : undefined,
  };
}

import { DomainError } from '@comanda/kit';
import { CsvError, parse } from 'csv-parse/sync';
import type { NewAddressInput } from './addresses.ts';
import type { ConsentState } from './consent.ts';
import { type CustomerKind, type CustomerPatch, type CustomerState, type NewCustomer, type ValidCustomer, validateNewCustomer } from './customer.ts';
import { fold } from './normalize.ts';

/**
 * Customers from a spreadsheet: a header row naming the columns (English or Romanian, any case,
 * in any order; unknown columns are ignored and reported), then one customer per row. Commas,
 * semicolons (what a Romanian Excel writes) or tabs separate the cells, as the header shows.
 */

export const MAX_IMPORT_BYTES = 1_000_000;
export const MAX_IMPORT_ROWS = 1000;

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

/** Header spellings, compared folded and without spaces, underscores or dashes. */
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

const COLUMN_OF = new Map(Object.entries(ALIASES).flatMap(([column, names]) => names.map((n) => [n, column as ImportColumn])));
const headerKey = (header: string) => fold(header).replace(/\s+/g, '');

export interface CsvRow {
  /** the file's line where the row starts (the header is line 1): the spreadsheet's row number */
  line: number;
  cells: Partial<Record<ImportColumn, string>>;
  /** more cells than the header has columns */
  extraCells: boolean;
}

export interface ParsedCsv {
  rows: CsvRow[];
  /** the header text of each recognized column, as the file spells it */
  headers: Partial<Record<ImportColumn, string>>;
  ignoredColumns: string[];
}

/** The separator the header line uses most, outside quotes. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  return [...counts.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

const fileError = (code: string, message: string) => new DomainError(code, message, ['input', 'csv']);
const LINE_BREAK = /\r\n|\r|\n/g;

/** Pure: the file's rows, or a DomainError for a file that cannot be read as a whole. */
export function parseCustomerCsv(text: string): ParsedCsv {
  if (Buffer.byteLength(text, 'utf8') > MAX_IMPORT_BYTES) {
    throw fileError('IMPORT_TOO_LARGE', `an import is at most ${MAX_IMPORT_BYTES / 1_000_000} MB; split the file`);
  }
  let records: { record: string[]; raw: string }[];
  try {
    // with `raw`, each record comes with the text it was read from (the typings do not say so)
    records = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text.replace(/^\uFEFF/, '')),
      relax_column_count: true,
      raw: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw fileError('INVALID_CSV', `the file is not valid CSV: ${error.message}`);
    throw error;
  }

  let cursor = 1;
  const lines = records.map(({ record, raw }) => {
    const leading = /^(\r\n|\r|\n)*/.exec(raw)![0].match(LINE_BREAK)?.length ?? 0;
    const line = cursor + leading;
    cursor += raw.match(LINE_BREAK)?.length ?? 0;
    return { line, record };
  });
  const nonEmpty = lines.filter(({ record }) => record.some((cell) => cell !== ''));
  const [header, ...data] = nonEmpty;
  if (!header) throw fileError('IMPORT_EMPTY', 'the file has no header row');

  const columns: (ImportColumn | null)[] = [];
  const headers: Partial<Record<ImportColumn, string>> = {};
  const ignoredColumns: string[] = [];
  for (const text of header.record) {
    const column = COLUMN_OF.get(headerKey(text)) ?? null;
    if (column && headers[column] !== undefined) throw fileError('DUPLICATE_COLUMN', `the columns "${headers[column]}" and "${text}" are the same`);
    if (column) headers[column] = text;
    else ignoredColumns.push(text);
    columns.push(column);
  }
  if (headers.name === undefined) throw fileError('MISSING_COLUMN', 'the header needs a name column (name, nume or denumire)');
  if (!data.length) throw fileError('IMPORT_EMPTY', 'the file has a header but no rows');
  if (data.length > MAX_IMPORT_ROWS) throw fileError('IMPORT_TOO_LARGE', `an import is at most ${MAX_IMPORT_ROWS} rows; split the file`);

  const rows = data.map(({ line, record }) => {
    const cells: Partial<Record<ImportColumn, string>> = {};
    columns.forEach((column, i) => {
      if (column && record[i]) cells[column] = record[i];
    });
    return { line, cells, extraCells: record.length > columns.length && record.slice(columns.length).some((c) => c !== '') };
  });
  return { rows, headers, ignoredColumns };
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

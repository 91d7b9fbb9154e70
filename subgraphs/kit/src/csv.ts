/**
 * Reading a spreadsheet export (customers' and products' imports): a header row naming the
 * columns (any language the aliases know, any case, any order; unknown columns are ignored and
 * reported), then one record per row. Commas, semicolons (what a Romanian Excel writes) or tabs
 * separate the cells, as the header shows. Limits keep one request's work bounded.
 */

import { CsvError, parse } from 'csv-parse/sync';
import { DomainError } from './errors.ts';

export const MAX_IMPORT_BYTES = 1_000_000;
export const MAX_IMPORT_ROWS = 1000;

export interface CsvRow<C extends string> {
  /** the file's line where the row starts (the header is line 1): the spreadsheet's row number */
  line: number;
  cells: Partial<Record<C, string>>;
  /** more cells than the header has columns */
  extraCells: boolean;
}

export interface ParsedCsv<C extends string> {
  rows: CsvRow<C>[];
  /** the header text of each recognized column, as the file spells it */
  headers: Partial<Record<C, string>>;
  ignoredColumns: string[];
}

/** Header spellings compare without accents, case, blanks or punctuation: "Cotă TVA %" is cotatva. */
export function headerKey(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
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

/**
 * Pure: the file's rows by column, or a DomainError for a file that cannot be read as a whole
 * (too large, not CSV, no header, a required column missing, a column twice, no rows).
 */
export function parseCsv<C extends string>(text: string, aliases: Record<C, string[]>, required: { column: C; hint: string }): ParsedCsv<C> {
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

  const columnOf = new Map<string, C>(
    (Object.entries(aliases) as [C, string[]][]).flatMap(([column, names]) => names.map((n) => [n, column] as [string, C])),
  );
  const columns: (C | null)[] = [];
  const headers: Partial<Record<C, string>> = {};
  const ignoredColumns: string[] = [];
  for (const text of header.record) {
    const column = columnOf.get(headerKey(text)) ?? null;
    if (column && headers[column] !== undefined) throw fileError('DUPLICATE_COLUMN', `the columns "${headers[column]}" and "${text}" are the same`);
    if (column) headers[column] = text;
    else ignoredColumns.push(text);
    columns.push(column);
  }
  if (headers[required.column] === undefined) throw fileError('MISSING_COLUMN', `the header needs a ${required.hint} column`);
  if (!data.length) throw fileError('IMPORT_EMPTY', 'the file has a header but no rows');
  if (data.length > MAX_IMPORT_ROWS) throw fileError('IMPORT_TOO_LARGE', `an import is at most ${MAX_IMPORT_ROWS} rows; split the file`);

  const rows = data.map(({ line, record }) => {
    const cells: Partial<Record<C, string>> = {};
    columns.forEach((column, i) => {
      if (column && record[i]) cells[column] = record[i];
    });
    return { line, cells, extraCells: record.length > columns.length && record.slice(columns.length).some((c) => c !== '') };
  });
  return { rows, headers, ignoredColumns };
}

/**
 * A ticket as data: what the documents produce and what both outputs read, the ESC/POS bytes
 * (escpos.ts) and the text preview (`--preview`). Layout (widths, wrapping, columns) happens
 * here, once, so the preview shows the lines the printer gets.
 */
import { center, printable, spread, wrap } from './text.ts';

export type Align = 'left' | 'center' | 'right';

export type TicketLine =
  /** text, wrapped to the width; size 2 is double width and height (half the columns) */
  | { kind: 'text'; text: string; align?: Align; bold?: boolean; size?: 1 | 2 }
  /** a label and an amount flush right */
  | { kind: 'pair'; left: string; right: string; bold?: boolean; size?: 1 | 2 }
  /** a row already laid out by the document (a table) */
  | { kind: 'row'; text: string; bold?: boolean }
  | { kind: 'rule'; char?: '-' | '=' }
  | { kind: 'blank' }
  /** white on black, double size, centered: the COPY mark */
  | { kind: 'banner'; text: string }
  | { kind: 'qr'; data: string };

export type Ticket = TicketLine[];

export type Style = { bold: boolean; size: 1 | 2; invert: boolean };

/** One printed row: its text (exactly the width of its size, in printable characters) and its style. */
export type Row = { text: string; style: Style } | { qr: string };

const plain: Style = { bold: false, size: 1, invert: false };

function aligned(text: string, width: number, align: Align): string {
  if (align === 'center') return center(text, width);
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** The rows of a ticket at `columns` characters per line (font A). */
export function layout(ticket: Ticket, columns: number): Row[] {
  const rows: Row[] = [];
  for (const line of ticket) {
    switch (line.kind) {
      case 'text': {
        const size = line.size ?? 1;
        const width = Math.floor(columns / size);
        for (const part of wrap(printable(line.text), width)) {
          rows.push({ text: aligned(part, width, line.align ?? 'left'), style: { ...plain, bold: line.bold ?? false, size } });
        }
        break;
      }
      case 'pair': {
        const size = line.size ?? 1;
        rows.push({
          text: spread(printable(line.left), printable(line.right), Math.floor(columns / size)),
          style: { ...plain, bold: line.bold ?? false, size },
        });
        break;
      }
      case 'row':
        rows.push({ text: printable(line.text).slice(0, columns).padEnd(columns), style: { ...plain, bold: line.bold ?? false } });
        break;
      case 'rule':
        rows.push({ text: (line.char ?? '-').repeat(columns), style: plain });
        break;
      case 'blank':
        rows.push({ text: ' '.repeat(columns), style: plain });
        break;
      case 'banner': {
        const width = Math.floor(columns / 2);
        rows.push({ text: center(` ${printable(line.text)} `, width), style: { bold: true, size: 2, invert: true } });
        break;
      }
      case 'qr':
        rows.push({ qr: line.data });
        break;
    }
  }
  return rows;
}

/** The ticket as plain text in a frame as wide as the paper, for a terminal. */
export function toText(ticket: Ticket, columns: number): string {
  const edge = `+${'-'.repeat(columns)}+`;
  const out = [edge];
  for (const row of layout(ticket, columns)) {
    if ('qr' in row) {
      out.push(`|${center('[QR]', columns)}|`);
      for (const part of wrap(row.qr, columns)) out.push(`|${center(part, columns)}|`);
      continue;
    }
    // white on black shows as blocks; double width as letters spaced out, so the frame holds
    const text = row.style.invert ? row.text.replace(/ /g, '\u2588') : row.text;
    out.push(`|${row.style.size === 2 ? [...text].map((c) => (c === '\u2588' ? c + c : `${c} `)).join('') : text}|`);
  }
  out.push(edge);
  return `${out.join('\n')}\n`;
}

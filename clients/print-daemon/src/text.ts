/**
 * Text as a receipt printer's code page can take it. Pure functions, no I/O.
 */

/**
 * Romanian ș and ț are written with a comma below (U+0218..U+021B), which no ESC/POS code page
 * has; the cedilla forms (U+015E, U+015F, U+0162, U+0163) are in cp852 and read the same to a
 * customer. Everything else the code page lacks prints as `?` (the encoder's choice).
 */
const COMMA_BELOW_TO_CEDILLA: Readonly<Record<string, string>> = {
  ș: 'ş',
  ț: 'ţ',
  Ș: 'Ş',
  Ț: 'Ţ',
};

/**
 * Control characters are replaced by spaces: a product name must never carry an ESC/POS
 * command (a cut, a cash drawer pulse) to the printer.
 */
const CONTROL = /\p{Cc}/gu;

export function printable(text: string): string {
  // NFC first: "s" + U+0326 (combining comma below) becomes U+0219 and is mapped below
  return text
    .normalize('NFC')
    .replace(/[șțȘȚ]/g, (c) => COMMA_BELOW_TO_CEDILLA[c] ?? c)
    .replace(CONTROL, ' ');
}

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  if (width < 1) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** `left` and `right` on one line of `width`, `right` flush right; `left` is cut when both do not fit. */
export function spread(left: string, right: string, width: number): string {
  const room = width - right.length - 1;
  if (room < 1) return right.slice(0, width).padStart(width);
  const shown = left.length > room ? left.slice(0, room) : left;
  return shown + ' '.repeat(width - shown.length - right.length) + right;
}

export function center(text: string, width: number): string {
  if (text.length >= width) return text.slice(0, width);
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
}

/** Cells padded to fixed widths: a negative width right-aligns (amounts). */
export function columns(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, i) => {
      const w = widths[i] ?? cell.length;
      const size = Math.abs(w);
      const fitted = cell.length > size ? cell.slice(0, size) : cell;
      return w < 0 ? fitted.padStart(size) : fitted.padEnd(size);
    })
    .join('');
}

/**
 * Reads ESC/POS bytes back as a person reads the paper: commands taken out, text decoded from
 * the selected code page, QR codes' data kept, tickets split at each cut. Any command it does
 * not know is an error, so a test fails on bytes it cannot account for.
 */
import CodepageEncoder from '@point-of-sale/codepage-encoder';

export interface DecodedTicket {
  /** printed lines, trailing spaces trimmed */
  lines: string[];
  text: string;
  /** data of each QR code */
  qr: string[];
  /** lines printed white on black (the COPY banner) */
  inverted: string[];
}

/** ESC t n (Epson numbering) -> code page */
const EPSON_CODEPAGES: Record<number, Parameters<typeof CodepageEncoder.getCodepoints>[0]> = {
  0: 'cp437',
  2: 'cp850',
  16: 'windows1252',
  18: 'cp852',
  19: 'cp858',
};

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

export function decodeTickets(bytes: Uint8Array): DecodedTicket[] {
  const tickets: DecodedTicket[] = [];
  let table = CodepageEncoder.getCodepoints('cp437', true);
  let line = '';
  let lines: string[] = [];
  let qr: string[] = [];
  let inverted: string[] = [];
  let invert = false;
  /** some character of the current line was printed white on black */
  let lineInverted = false;
  const endLine = () => {
    lines.push(line.trimEnd());
    if (lineInverted) inverted.push(line.trim());
    line = '';
    lineInverted = false;
  };
  const cut = () => {
    if (line) endLine();
    while (lines.length && lines.at(-1) === '') lines.pop();
    tickets.push({ lines, text: lines.join('\n'), qr, inverted });
    lines = [];
    qr = [];
    inverted = [];
  };

  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const at = (k: number) => {
      const v = bytes[i + k];
      if (v === undefined) throw new Error(`a command cut short at byte ${i}`);
      return v;
    };
    if (b === 0x0a) {
      endLine();
      i++;
    } else if (b === 0x0d) {
      i++;
    } else if (b === ESC) {
      const c = at(1);
      if (c === 0x40) {
        // ESC @ initialize (the encoder may add a CAN after it)
        i += bytes[i + 2] === 0x18 ? 3 : 2;
      } else if (c === 0x74) {
        const page = EPSON_CODEPAGES[at(2)];
        if (!page) throw new Error(`code page ${at(2)} is not in the decoder's table`);
        table = CodepageEncoder.getCodepoints(page, true);
        i += 3;
      } else if ([0x4d, 0x61, 0x45, 0x2d, 0x34, 0x33, 0x64, 0x4a, 0x52, 0x21].includes(c)) {
        // font, align, bold, underline, italic, line spacing, feed n lines, feed n dots, charset, print mode
        i += 3;
      } else if (c === 0x32) {
        i += 2;
      } else if (c === 0x70) {
        i += 5;
      } else {
        throw new Error(`unknown ESC command 0x${c.toString(16)} at byte ${i}`);
      }
    } else if (b === GS) {
      const c = at(1);
      if (c === 0x21) {
        i += 3;
      } else if (c === 0x42) {
        invert = at(2) === 1;
        i += 3;
      } else if (c === 0x56) {
        // GS V m, or GS V m n for the feed-and-cut forms
        i += at(2) >= 0x41 ? 4 : 3;
        cut();
      } else if (c === 0x28 && at(2) === 0x6b) {
        const length = at(3) | (at(4) << 8);
        const cn = at(5);
        const fn = at(6);
        if (cn === 0x31 && fn === 0x50) qr.push(Buffer.from(bytes.subarray(i + 8, i + 5 + length)).toString('latin1'));
        i += 5 + length;
      } else if ([0x68, 0x77, 0x48, 0x66].includes(c)) {
        i += 3;
      } else {
        throw new Error(`unknown GS command 0x${c.toString(16)} at byte ${i}`);
      }
    } else if (b === FS) {
      if (at(1) !== 0x2e) throw new Error(`unknown FS command at byte ${i}`);
      i += 2;
    } else if (b === DLE) {
      // DLE EOT n: a status request, not print data
      i += 3;
    } else if (b < 0x20) {
      throw new Error(`unexpected control byte 0x${b.toString(16)} at byte ${i}`);
    } else {
      line += b < 0x80 ? String.fromCharCode(b) : String.fromCodePoint(table[b] ?? 0xfffd);
      if (invert) lineInverted = true;
      i++;
    }
  }
  // what follows the last cut (the encoder ends with a newline) is a ticket only if it prints something
  if (line.trim() || lines.some((l) => l !== '') || qr.length) cut();
  return tickets;
}

/**
 * A ticket as ESC/POS bytes, through @point-of-sale/receipt-printer-encoder (code pages,
 * printer models, QR codes and cutting are solved there). The ticket arrives laid out
 * (ticket.ts), so the encoder only sets styles and writes rows.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { layout, type Style, type Ticket } from './ticket.ts';

type EncoderOptions = ConstructorParameters<typeof ReceiptPrinterEncoder>[0];
type Codepage = Parameters<ReceiptPrinterEncoder['codepage']>[0];
export type PrinterModel = NonNullable<NonNullable<EncoderOptions>['printerModel']>;

export interface EscPosOptions {
  columns: number;
  /** a code page the printer has (default cp852, which prints Romanian) */
  codepage: string;
  /** the encoder's model table: code page numbering, cutter feed, QR support */
  printerModel?: string;
  /** blank lines before the cut, so the last row clears the cutter */
  feedBeforeCut?: number;
}

export function isPrinterModel(name: string): name is PrinterModel {
  return ReceiptPrinterEncoder.printerModels.some((m) => m.id === name);
}

export function encodeTicket(ticket: Ticket, options: EscPosOptions): Uint8Array {
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: options.columns,
    ...(options.printerModel && isPrinterModel(options.printerModel) ? { printerModel: options.printerModel } : { codepageMapping: 'epson' }),
    feedBeforeCut: options.feedBeforeCut ?? 4,
    newline: '\n',
  });
  encoder.initialize().codepage(options.codepage as Codepage);
  let current: Style = { bold: false, size: 1, invert: false };
  const apply = (style: Style) => {
    if (style.bold !== current.bold) encoder.bold(style.bold);
    if (style.invert !== current.invert) encoder.invert(style.invert);
    if (style.size !== current.size) encoder.size(style.size, style.size);
    current = style;
  };
  for (const row of layout(ticket, options.columns)) {
    if ('qr' in row) {
      apply({ bold: false, size: 1, invert: false });
      encoder.align('center').qrcode(row.qr, { model: 2, size: 6, errorlevel: 'm' }).align('left');
      continue;
    }
    apply(row.style);
    // trailing spaces carry nothing on paper (an inverted banner keeps them: they are its black)
    encoder.line(row.style.invert ? row.text : row.text.trimEnd());
  }
  apply({ bold: false, size: 1, invert: false });
  const bytes = encoder.cut('partial').encode();
  // the encoder ends the cut with a newline, which would feed a blank line onto the next ticket
  return bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
}

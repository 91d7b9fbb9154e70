import { parsePrinterAddress } from './address.ts';
import { devicePrinter } from './device.ts';
import { filePrinter } from './file.ts';
import type { PrinterPort } from './port.ts';
import { tcpPrinter } from './tcp.ts';

export { type PrinterAddress, parsePrinterAddress } from './address.ts';
export { describeError, type PrinterPort, PrinterUnreachable, SendError } from './port.ts';

export function openPrinter(address: string, timeoutMs?: number): PrinterPort {
  const parsed = parsePrinterAddress(address);
  switch (parsed.kind) {
    case 'tcp':
      return tcpPrinter({ host: parsed.host, port: parsed.port, timeoutMs });
    case 'device':
      return devicePrinter(parsed.path, timeoutMs);
    case 'file':
      return filePrinter(parsed.path);
  }
}

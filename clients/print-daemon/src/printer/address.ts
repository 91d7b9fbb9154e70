/**
 * A printer address: tcp://host:9100 (a network printer; the port defaults to 9100), a device
 * path such as /dev/usb/lp0 (a USB or parallel printer), or file:PATH (bytes appended to a
 * file: development, or a printer shared some other way).
 */
export type PrinterAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'device'; path: string } | { kind: 'file'; path: string };

export function parsePrinterAddress(text: string): PrinterAddress {
  const value = text.trim();
  if (value.startsWith('tcp://')) {
    const url = new URL(value);
    const port = url.port ? Number(url.port) : 9100;
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a printer address: ${text}`);
    return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  }
  if (value.startsWith('file:')) {
    const path = value.startsWith('file://') ? new URL(value).pathname : value.slice('file:'.length);
    if (!path) throw new Error(`not a printer address: ${text}`);
    return { kind: 'file', path };
  }
  if (value.startsWith('/')) return { kind: 'device', path: value };
  throw new Error(`not a printer address: ${text} (tcp://host:9100, /dev/usb/lp0 or file:PATH)`);
}

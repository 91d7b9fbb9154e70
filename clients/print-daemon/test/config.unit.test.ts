import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

const noFile = (path: string): string => {
  throw new Error(`no file ${path}`);
};
const required = ['--token', 't', '--printer-id', 'p1', '--printer', 'tcp://10.0.0.5'];

describe('configuration', () => {
  it('takes flags, with the defaults of an 80 mm printer in Romania', () => {
    const config = parseConfig(required, { HOME: '/home/shop' }, noFile);
    expect(config).toMatchObject({
      mode: { kind: 'run' },
      gateway: 'http://127.0.0.1:4000/graphql',
      token: 't',
      printerId: 'p1',
      printer: 'tcp://10.0.0.5',
      columns: 48,
      codepage: 'cp852',
      spool: '/home/shop/.local/state/comanda-print/p1',
      reportAfterMs: 10_000,
      logLevel: 'info',
    });
  });

  it('prefers a flag to the environment, and the environment to the file', () => {
    const file = JSON.stringify({ gateway: 'http://file/graphql', columns: 42, codepage: 'cp858', printerId: 'from-file', token: 'file-token' });
    const config = parseConfig(
      ['--config', '/etc/comanda-print.json', '--columns', '32', '--printer', 'file:/tmp/out.bin'],
      { COMANDA_COLUMNS: '40', COMANDA_GATEWAY: 'https://env/graphql', STATE_DIRECTORY: '/var/lib/comanda-print' },
      () => file,
    );
    expect(config).toMatchObject({
      columns: 32,
      gateway: 'https://env/graphql',
      codepage: 'cp858',
      printerId: 'from-file',
      token: 'file-token',
      spool: '/var/lib/comanda-print/from-file',
    });
  });

  it('runs from the environment alone (COMANDA_*)', () => {
    const config = parseConfig(
      [],
      { COMANDA_TOKEN_FILE: '/run/token', COMANDA_PRINTER_ID: 'p2', COMANDA_PRINTER: '/dev/usb/lp0', COMANDA_REPORT_AFTER: '2.5' },
      noFile,
    );
    expect(config).toMatchObject({ tokenFile: '/run/token', token: null, printer: '/dev/usb/lp0', reportAfterMs: 2500 });
  });

  it('says what is missing or wrong', () => {
    expect(() => parseConfig([], {}, noFile)).toThrow(/missing --token \(or --token-file\), --printer-id, --printer/);
    expect(() => parseConfig([...required, '--columns', '7'], {}, noFile)).toThrow(ConfigError);
    expect(() => parseConfig([...required.slice(0, 4), '--printer', 'lpt1'], {}, noFile)).toThrow(/not a printer address/);
    expect(() => parseConfig([...required, '--gateway', 'ws://x'], {}, noFile)).toThrow(/http/);
    expect(() => parseConfig([...required, '--log-level', 'loud'], {}, noFile)).toThrow(/log-level/);
    expect(() => parseConfig([...required, '--bogus'], {}, noFile)).toThrow(ConfigError);
    expect(() => parseConfig(['--config', 'x.json'], {}, noFile)).toThrow(/cannot read the config file/);
  });

  it('needs only what each mode uses', () => {
    expect(parseConfig(['--preview', 'job-1'], {}, noFile).mode).toEqual({ kind: 'preview', jobId: 'job-1' });
    expect(parseConfig(['--test', '--printer', 'tcp://printer:9100'], {}, noFile).mode).toEqual({ kind: 'test' });
    expect(() => parseConfig(['--test'], {}, noFile)).toThrow(/--printer/);
    expect(parseConfig(['--help'], {}, noFile).mode).toEqual({ kind: 'help' });
  });
});

describe('printer addresses', () => {
  it('reads tcp://host[:port], device paths and file:PATH', async () => {
    const { parsePrinterAddress } = await import('../src/printer/address.ts');
    expect(parsePrinterAddress('tcp://192.168.1.50')).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 9100 });
    expect(parsePrinterAddress('tcp://printer.local:9101')).toEqual({ kind: 'tcp', host: 'printer.local', port: 9101 });
    expect(parsePrinterAddress('tcp://[::1]:9100')).toEqual({ kind: 'tcp', host: '::1', port: 9100 });
    expect(parsePrinterAddress('/dev/usb/lp0')).toEqual({ kind: 'device', path: '/dev/usb/lp0' });
    expect(parsePrinterAddress('file:/tmp/tickets.bin')).toEqual({ kind: 'file', path: '/tmp/tickets.bin' });
    expect(parsePrinterAddress('file:///tmp/t.bin')).toEqual({ kind: 'file', path: '/tmp/t.bin' });
    expect(() => parsePrinterAddress('usb:0')).toThrow(/not a printer address/);
  });
});

/** The printer ports against real sockets and files: the TCP port talks to the fake printer. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPrinter, type PrinterPort, PrinterUnreachable, SendError } from '../src/printer/index.ts';
import { FakePrinter } from './support/fake-printer.ts';

const open: { printer?: FakePrinter; port?: PrinterPort }[] = [];
afterEach(async () => {
  for (const { printer, port } of open.splice(0)) {
    await port?.close();
    await printer?.stop();
  }
});

async function tcp(): Promise<{ printer: FakePrinter; port: PrinterPort }> {
  const printer = await FakePrinter.start();
  const port = openPrinter(printer.address, 500);
  open.push({ printer, port });
  return { printer, port };
}

describe('a network printer (TCP)', () => {
  it('reads the printer state from DLE EOT answers', async () => {
    const { printer, port } = await tcp();
    expect(await port.status()).toEqual({ online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false });
    printer.state = 'paper-out';
    expect(await port.status()).toMatchObject({ online: false, paperOut: true });
    printer.state = 'cover-open';
    expect(await port.status()).toMatchObject({ online: false, coverOpen: true, paperOut: false });
    printer.state = 'paper-near-end';
    expect(await port.status()).toMatchObject({ online: true, paperNearEnd: true });
    // one connection for all of it
    expect(printer.connections).toBe(1);
  });

  it('sends bytes, which the printer records apart from the status requests', async () => {
    const { printer, port } = await tcp();
    await port.status();
    await port.send(Buffer.from('hello\n\x1dV\x01'));
    await port.status();
    await printer.waitForTickets(1);
    expect(printer.received().toString('latin1')).toBe('hello\n\x1dV\x01');
    expect(printer.statusRequests).toBe(6);
  });

  it('says unreachable when the printer is away, sends nothing, and reconnects when it is back', async () => {
    const { printer, port } = await tcp();
    await port.status();
    await printer.goAway();
    await expect(port.status()).rejects.toBeInstanceOf(PrinterUnreachable);
    const failed = await port.send(Buffer.from('x')).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SendError);
    expect((failed as SendError).started).toBe(false);
    await printer.comeBack();
    expect((await port.status())?.online).toBe(true);
    expect(printer.connections).toBe(2);
  });

  it('drops a connection whose printer stops answering, and says so', async () => {
    const { printer, port } = await tcp();
    printer.state = 'silent';
    await expect(port.status()).rejects.toThrow(/no answer to a status request/);
    printer.state = 'online';
    expect((await port.status())?.online).toBe(true);
    expect(printer.connections).toBe(2);
  });
});

describe('a file or device printer', () => {
  it('file:PATH appends each ticket and has no status', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'comanda-print-file-')), 'tickets.bin');
    const port = openPrinter(`file:${path}`);
    expect(await port.status()).toBeNull();
    await port.send(Buffer.from('one'));
    await port.send(Buffer.from('two'));
    expect(readFileSync(path, 'latin1')).toBe('onetwo');
  });

  it('a device path that answers no status is written to without one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'comanda-print-dev-')), 'lp0');
    writeFileSync(path, '');
    const port = openPrinter(path, 200);
    expect(await port.status()).toBeNull();
    await port.send(Buffer.from('ticket'));
    await port.close();
    // the status request went to the device too, before the ticket
    expect(readFileSync(path, 'latin1')).toBe('\x10\x04\x01\x10\x04\x02\x10\x04\x04ticket');
  });

  it('a device that is not there is unreachable', async () => {
    const port = openPrinter('/dev/nonexistent/lp9', 200);
    await expect(port.status()).rejects.toBeInstanceOf(PrinterUnreachable);
    const failed = await port.send(Buffer.from('x')).catch((e: unknown) => e);
    expect((failed as SendError).started).toBe(false);
  });
});

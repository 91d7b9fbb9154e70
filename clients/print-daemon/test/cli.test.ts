/** The command as an operator runs it: --help, a bad flag, --test on a printer, --preview of a spooled job. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from '../src/spool.ts';
import { decodeTickets } from './support/escpos-decode.ts';
import { FakePrinter } from './support/fake-printer.ts';
import { sampleJob } from './support/fixtures.ts';
import { spawnDaemon } from './support/harness.ts';

const printers: FakePrinter[] = [];
afterEach(async () => {
  for (const printer of printers.splice(0)) await printer.stop();
});

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const daemon = spawnDaemon(args);
  let stdout = '';
  let stderr = '';
  daemon.child.stdout!.on('data', (c) => {
    stdout += c;
  });
  daemon.child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const code = await daemon.exited;
  return { code, stdout: stdout || daemon.logs.map((l) => (l.level === 'raw' ? l.msg : JSON.stringify(l))).join('\n'), stderr };
}

describe('comanda-print', () => {
  it('prints its usage, and refuses a bad configuration with exit code 64', async () => {
    expect((await run(['--help'])).code).toBe(0);
    const bad = await run(['--printer-id', 'p1', '--printer', 'lpt1:']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/not a printer address: lpt1:/);
  });

  it('--test prints a test page on the printer', async () => {
    const printer = await FakePrinter.start();
    printers.push(printer);
    const result = await run(['--test', '--printer', printer.address, '--columns', '42']);
    expect(result.code).toBe(0);
    const [page] = decodeTickets(printer.received());
    expect(page!.text).toContain('TEST PAGE');
    expect(page!.lines).toContain('123456789012345678901234567890123456789012');
  });

  it('--test fails with the reason when the printer cannot print', async () => {
    const printer = await FakePrinter.start({ state: 'cover-open' });
    printers.push(printer);
    const result = await run(['--test', '--printer', printer.address]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cover open');
    expect(printer.received().length).toBe(0);
  });

  it('--preview shows a spooled job as text, with COPY on a reprint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'comanda-print-preview-'));
    const spool = Spool.open(dir);
    spool.record({ kind: 'job', job: sampleJob({ copy: true }) });
    spool.close();
    const result = await run(['--preview', sampleJob().id, '--spool', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('|Receipt                           BF-2025-000042|');
    expect(result.stdout).toContain('C O P Y');
    const missing = await run(['--preview', 'no-such-job', '--spool', dir]);
    expect(missing.code).toBe(1);
  });
});

#!/usr/bin/env node
/**
 * comanda-print: the command (docs/print-daemon.md). `--help` lists the options.
 * Exit codes: 0 done, 1 failed (the test page did not print, a job to preview not found),
 * 64 bad configuration, 78 the gateway refused this token for this printer (a systemd unit
 * should not restart it: RestartPreventExitStatus=78).
 */
import { readFileSync } from 'node:fs';
import { type GatewayOptions, requestData } from './api.ts';
import { type Config, ConfigError, parseConfig, USAGE } from './config.ts';
import { Forbidden, type Stall, startDaemon } from './daemon.ts';
import { renderJob } from './documents/index.ts';
import { renderTestPage } from './documents/test-page.ts';
import { encodeTicket } from './escpos.ts';
import type { PrintJob } from './job.ts';
import { createLogger, type Logger } from './log.ts';
import { PENDING_PRINT_JOBS } from './operations.ts';
import { describeError, openPrinter } from './printer/index.ts';
import { readJournal, Spool } from './spool.ts';
import { replay } from './spool-state.ts';
import { notReadyReason } from './status.ts';
import type { Ticket } from './ticket.ts';
import { toText } from './ticket.ts';

const EXIT = { ok: 0, failed: 1, usage: 64, forbidden: 78 } as const;

function gatewayOptions(config: Config, log: Logger): GatewayOptions {
  return {
    url: config.gateway,
    log,
    token: () => config.token ?? readFileSync(config.tokenFile!, 'utf8').trim(),
  };
}

const encode = (config: Config) => (ticket: Ticket) =>
  encodeTicket(ticket, { columns: config.columns, codepage: config.codepage, printerModel: config.printerModel ?? undefined });

async function run(config: Config, log: Logger): Promise<number> {
  const toBytes = encode(config);
  toBytes([{ kind: 'text', text: 'ș' }]); // an unknown code page fails here, not at the first ticket
  const stall = process.env.COMANDA_PRINT_TEST_STALL;
  const spool = Spool.open(config.spool, { onSkipped: (line) => log.warn('skipped an unreadable spool line', { line }) });
  const daemon = startDaemon({
    printerId: config.printerId!,
    gateway: gatewayOptions(config, log),
    printer: openPrinter(config.printer!),
    spool,
    render: (job) => toBytes(renderJob(job, config.columns)),
    log,
    reportAfterMs: config.reportAfterMs,
    stall: stall === 'after-send' || stall === 'after-outcome' ? (stall as Stall) : null,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void daemon.stop());
  try {
    await daemon.done;
    return EXIT.ok;
  } catch (error) {
    return error instanceof Forbidden ? EXIT.forbidden : EXIT.failed;
  }
}

/** The job from this printer's spool, or else from the gateway's pending jobs. */
async function findJob(config: Config, jobId: string, log: Logger): Promise<PrintJob | null> {
  const spooled = replay(readJournal(`${config.spool}/journal.jsonl`)).get(jobId)?.job;
  if (spooled) return spooled;
  if (!config.printerId || !(config.token || config.tokenFile)) return null;
  const data = await requestData<{ pendingPrintJobs: PrintJob[] }>(gatewayOptions(config, log), PENDING_PRINT_JOBS, { printerId: config.printerId });
  return data.pendingPrintJobs.find((j) => j.id === jobId) ?? null;
}

async function preview(config: Config, jobId: string, log: Logger): Promise<number> {
  const job = await findJob(config, jobId, log);
  if (!job) {
    process.stderr.write(`no job ${jobId} in the spool ${config.spool}${config.printerId ? ' nor pending at the gateway' : ''}\n`);
    return EXIT.failed;
  }
  process.stdout.write(toText(renderJob(job, config.columns), config.columns));
  return EXIT.ok;
}

async function testPage(config: Config, log: Logger): Promise<number> {
  const printer = openPrinter(config.printer!);
  try {
    const before = await printer.status();
    const fault = before && notReadyReason(before);
    if (fault) {
      log.error('the printer cannot print the test page', { reason: fault });
      return EXIT.failed;
    }
    const ticket = renderTestPage({
      printerId: config.printerId,
      address: printer.address,
      codepage: config.codepage,
      columns: config.columns,
      at: new Date(),
    });
    await printer.send(encode(config)(ticket));
    const after = await printer.status();
    log.info('test page sent', { printer: printer.address, status: after ?? 'the printer reports no status' });
    return EXIT.ok;
  } catch (error) {
    log.error('the test page did not print', { error: describeError(error) });
    return EXIT.failed;
  } finally {
    await printer.close();
  }
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = parseConfig(process.argv.slice(2), process.env, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`comanda-print: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const log = createLogger(config.logLevel, config.printerId ? { printerId: config.printerId } : {});
  switch (config.mode.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return EXIT.ok;
    case 'preview':
      return preview(config, config.mode.jobId, log);
    case 'test':
      return testPage(config, log);
    case 'run':
      return run(config, log);
  }
}

// exit at once: nothing left to flush (stdout is synchronous on files and pipes), and a stray timer must not hold the process
process.exit(await main());

/**
 * Configuration from flags, the environment and a JSON file, in that order of precedence
 * (a flag beats the environment, which beats the file, which beats the defaults).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isLevel, type Level } from './log.ts';
import { parsePrinterAddress } from './printer/address.ts';

export type Mode = { kind: 'run' } | { kind: 'preview'; jobId: string } | { kind: 'test' } | { kind: 'help' };

export interface Config {
  mode: Mode;
  /** http(s)://host:4000/graphql */
  gateway: string;
  token: string | null;
  /** a file holding the token, read again at every (re)connection: rotate it without a restart */
  tokenFile: string | null;
  printerId: string | null;
  /** tcp://host:9100, /dev/usb/lp0 or file:PATH */
  printer: string | null;
  columns: number;
  codepage: string;
  printerModel: string | null;
  spool: string;
  reportAfterMs: number;
  logLevel: Level;
}

export class ConfigError extends Error {}

export const USAGE = `comanda-print: prints a printer's jobs from the Comanda gateway, each exactly once

usage:
  comanda-print --gateway URL --token TOKEN --printer-id ID --printer ADDRESS [options]
  comanda-print --preview JOB_ID [--printer-id ID --token TOKEN]   a job as text, from the spool or the gateway
  comanda-print --test --printer ADDRESS                            prints a test page

options (environment variable; JSON key of --config FILE):
  --gateway URL          COMANDA_GATEWAY       gateway      default http://127.0.0.1:4000/graphql
  --token TOKEN          COMANDA_TOKEN         token        a device token: npm run token -- --role device --printer ID
  --token-file PATH      COMANDA_TOKEN_FILE    tokenFile    read at every (re)connection instead
  --printer-id ID        COMANDA_PRINTER_ID    printerId
  --printer ADDRESS      COMANDA_PRINTER       printer      tcp://host:9100, /dev/usb/lp0 or file:PATH
  --columns N            COMANDA_COLUMNS       columns      characters per line, default 48 (80 mm paper)
  --codepage NAME        COMANDA_CODEPAGE      codepage     default cp852 (prints Romanian)
  --printer-model NAME   COMANDA_PRINTER_MODEL printerModel e.g. epson-tm-t88vi (the encoder's model table)
  --spool DIR            COMANDA_SPOOL         spool        default $STATE_DIRECTORY or ~/.local/state/comanda-print, per printer
  --report-after SECONDS COMANDA_REPORT_AFTER  reportAfter  a printer fault this long is reported to the server, default 10
  --log-level LEVEL      LOG_LEVEL             logLevel     debug, info, warn, error, silent
  --config FILE          COMANDA_PRINT_CONFIG             a JSON file with the keys above
`;

const OPTIONS = {
  gateway: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'printer-id': { type: 'string' },
  printer: { type: 'string' },
  columns: { type: 'string' },
  codepage: { type: 'string' },
  'printer-model': { type: 'string' },
  spool: { type: 'string' },
  'report-after': { type: 'string' },
  'log-level': { type: 'string' },
  config: { type: 'string' },
  preview: { type: 'string' },
  test: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** flag, environment variable, JSON key */
const SOURCES = {
  gateway: ['gateway', 'COMANDA_GATEWAY', 'gateway'],
  token: ['token', 'COMANDA_TOKEN', 'token'],
  tokenFile: ['token-file', 'COMANDA_TOKEN_FILE', 'tokenFile'],
  printerId: ['printer-id', 'COMANDA_PRINTER_ID', 'printerId'],
  printer: ['printer', 'COMANDA_PRINTER', 'printer'],
  columns: ['columns', 'COMANDA_COLUMNS', 'columns'],
  codepage: ['codepage', 'COMANDA_CODEPAGE', 'codepage'],
  printerModel: ['printer-model', 'COMANDA_PRINTER_MODEL', 'printerModel'],
  spool: ['spool', 'COMANDA_SPOOL', 'spool'],
  reportAfter: ['report-after', 'COMANDA_REPORT_AFTER', 'reportAfter'],
  logLevel: ['log-level', 'LOG_LEVEL', 'logLevel'],
} as const;

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv, readFile: (path: string) => string): Config {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const configPath = (values.config as string | undefined) ?? env.COMANDA_PRINT_CONFIG;
  let file: Record<string, unknown> = {};
  if (configPath) {
    try {
      file = JSON.parse(readFile(configPath)) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`cannot read the config file ${configPath}: ${(error as Error).message}`);
    }
    if (!file || typeof file !== 'object' || Array.isArray(file)) throw new ConfigError(`${configPath} must hold a JSON object`);
  }
  const pick = (key: keyof typeof SOURCES): string | null => {
    const [flag, variable, jsonKey] = SOURCES[key];
    const value = values[flag] ?? env[variable] ?? file[jsonKey];
    return value === undefined || value === null || value === '' ? null : String(value);
  };

  const mode: Mode = values.help
    ? { kind: 'help' }
    : typeof values.preview === 'string'
      ? { kind: 'preview', jobId: values.preview }
      : values.test
        ? { kind: 'test' }
        : { kind: 'run' };

  const columns = Number(pick('columns') ?? 48);
  if (!Number.isInteger(columns) || columns < 24 || columns > 96)
    throw new ConfigError(`--columns must be a whole number from 24 to 96, not ${pick('columns')}`);
  const reportAfter = Number(pick('reportAfter') ?? 10);
  if (!Number.isFinite(reportAfter) || reportAfter < 0)
    throw new ConfigError(`--report-after must be seconds (0 or more), not ${pick('reportAfter')}`);
  const logLevel = pick('logLevel') ?? 'info';
  if (!isLevel(logLevel)) throw new ConfigError(`--log-level must be debug, info, warn, error or silent, not ${logLevel}`);
  const gateway = pick('gateway') ?? 'http://127.0.0.1:4000/graphql';
  if (!/^https?:\/\//.test(gateway)) throw new ConfigError(`--gateway must be an http(s) URL, not ${gateway}`);
  const printer = pick('printer');
  if (printer) {
    try {
      parsePrinterAddress(printer);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  const printerId = pick('printerId');
  const spoolBase = env.STATE_DIRECTORY?.split(':')[0] || join(env.HOME || homedir(), '.local', 'state', 'comanda-print');

  const config: Config = {
    mode,
    gateway,
    token: pick('token'),
    tokenFile: pick('tokenFile'),
    printerId,
    printer,
    columns,
    codepage: pick('codepage') ?? 'cp852',
    printerModel: pick('printerModel'),
    spool: pick('spool') ?? join(spoolBase, printerId ?? 'default'),
    reportAfterMs: Math.round(reportAfter * 1000),
    logLevel,
  };

  const missing = (names: string[]) => {
    if (names.length) throw new ConfigError(`missing ${names.join(', ')}`);
  };
  if (mode.kind === 'run') {
    missing([
      ...(config.token || config.tokenFile ? [] : ['--token (or --token-file)']),
      ...(config.printerId ? [] : ['--printer-id']),
      ...(config.printer ? [] : ['--printer']),
    ]);
  }
  if (mode.kind === 'test') missing(config.printer ? [] : ['--printer']);
  return config;
}

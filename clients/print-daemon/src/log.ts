/**
 * Structured logs: one JSON object per line on stdout, in the shape of the services' pino logs
 * (level label, ISO time, service, message, fields), so one log pipeline reads them all. A tiny
 * logger of our own keeps the daemon's dependencies to what it prints with.
 */

export const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 } as const;
export type Level = keyof typeof LEVELS;
type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export const isLevel = (value: string): value is Level => value in LEVELS;

export function createLogger(level: Level = 'info', base: Fields = {}, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const threshold = LEVELS[level];
  const emit = (lvl: Exclude<Level, 'silent'>, msg: string, fields?: Fields) => {
    if (LEVELS[lvl] < threshold) return;
    const entry: Fields = { level: lvl, time: new Date().toISOString(), service: 'print-daemon', ...base, msg, ...fields };
    for (const [key, value] of Object.entries(entry)) if (value instanceof Error) entry[key] = { message: value.message, stack: value.stack };
    write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

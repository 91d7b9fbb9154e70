import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; LOG_LEVEL=silent in tests keeps the output readable. */
export function createLogger(service: string): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

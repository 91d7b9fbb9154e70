/** The daemon as a library (tests, embedding); the command is main.ts. */
export { ackPath, SERVER_TRANSITIONS } from './acks.ts';
export { connectLive, GatewayError, type GatewayOptions, GatewayUnavailable, request, requestData } from './api.ts';
export { type Config, ConfigError, parseConfig, USAGE } from './config.ts';
export { type Daemon, type DaemonEvents, type DaemonOptions, Forbidden, type Stall, startDaemon } from './daemon.ts';
export { DOCUMENT_KINDS, type DocumentKind, renderJob, UnprintableJob } from './documents/index.ts';
export { renderReceipt } from './documents/receipt.ts';
export { renderTestPage } from './documents/test-page.ts';
export { type EscPosOptions, encodeTicket } from './escpos.ts';
export type { PrintJob, PrintJobStatus, Receipt } from './job.ts';
export { createLogger, type Logger } from './log.ts';
export { ACKNOWLEDGE_PRINT_JOB, PENDING_PRINT_JOBS, PRINT_QUEUE } from './operations.ts';
export { openPrinter, type PrinterPort, PrinterUnreachable, parsePrinterAddress, SendError } from './printer/index.ts';
export { readJournal, Spool } from './spool.ts';
export { decide, type JobState, replay, type SpoolRecord } from './spool-state.ts';
export { notReadyReason, type PrinterStatus, parseStatus, STATUS_REQUEST, statusBytes } from './status.ts';
export { printable } from './text.ts';
export { layout, type Ticket, type TicketLine, toText } from './ticket.ts';

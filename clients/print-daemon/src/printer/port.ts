import type { PrinterStatus } from '../status.ts';

/**
 * How the daemon talks to a printer, whatever the wire (TCP 9100, a USB device file, a plain
 * file). `status` answers null when the printer cannot report one (a file; a device that
 * does not answer DLE EOT): the daemon then prints without asking.
 */
export interface PrinterPort {
  /** as configured, for logs and the test page */
  readonly address: string;
  status(): Promise<PrinterStatus | null>;
  /** every byte, or a SendError saying whether any byte may have left */
  send(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The printer cannot be reached (refused, timed out, no answer to a status request). */
export class PrinterUnreachable extends Error {}

export class SendError extends Error {
  /** false: nothing left this machine (safe to try again); true: part of the ticket may be on paper */
  readonly started: boolean;
  constructor(message: string, started: boolean) {
    super(message);
    this.started = started;
  }
}

export const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

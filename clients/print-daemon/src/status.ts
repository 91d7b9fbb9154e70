/**
 * ESC/POS real-time status, DLE EOT n (0x10 0x04 n): the printer answers one byte per request
 * at once, even while it is busy or offline. Each byte has bits 1 and 4 set and bits 0 and 7
 * clear (which tells a status byte from anything else). We ask three:
 *   n=1 printer status         bit 3: offline
 *   n=2 offline cause          bit 2: cover open; bit 5: stopped at paper end; bit 6: error
 *   n=4 roll paper sensor      bits 2+3: paper near its end; bits 5+6: paper out
 */

export const DLE_EOT = 0x10;
export const EOT = 0x04;
export const STATUS_QUERIES = [1, 2, 4] as const;
/** the three requests in one write: the answers come back in order */
export const STATUS_REQUEST = Uint8Array.from(STATUS_QUERIES.flatMap((n) => [DLE_EOT, EOT, n]));

export interface PrinterStatus {
  online: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  /** a mechanical, cutter or unrecoverable error (the printer needs a person) */
  error: boolean;
}

export const isStatusByte = (b: number): boolean => (b & 0b1001_0011) === 0b0001_0010;

const bit = (b: number, n: number) => (b & (1 << n)) !== 0;

/** The status from the answers to n=1, 2 and 4; null when any byte is not a status byte. */
export function parseStatus(answers: readonly number[]): PrinterStatus | null {
  const [printer, cause, paper] = answers;
  if (printer === undefined || cause === undefined || paper === undefined) return null;
  if (![printer, cause, paper].every(isStatusByte)) return null;
  return {
    online: !bit(printer, 3),
    coverOpen: bit(cause, 2),
    paperOut: bit(cause, 5) || (bit(paper, 5) && bit(paper, 6)),
    paperNearEnd: bit(paper, 2) && bit(paper, 3),
    error: bit(cause, 6),
  };
}

/** The status bytes a printer in this state answers (the fake printer's side; also documents the bits). */
export function statusBytes(status: PrinterStatus): [number, number, number] {
  const base = 0b0001_0010;
  const offline = !status.online || status.coverOpen || status.paperOut || status.error;
  return [
    base | (offline ? 1 << 3 : 0),
    base | (status.coverOpen ? 1 << 2 : 0) | (status.paperOut ? 1 << 5 : 0) | (status.error ? 1 << 6 : 0),
    base | (status.paperNearEnd || status.paperOut ? 0b1100 : 0) | (status.paperOut ? 0b110_0000 : 0),
  ];
}

/** Why the printer cannot take a ticket now, or null when it can. Paper near its end still prints. */
export function notReadyReason(status: PrinterStatus): string | null {
  if (status.paperOut) return 'paper out';
  if (status.coverOpen) return 'cover open';
  if (status.error) return 'printer error';
  if (!status.online) return 'printer offline';
  return null;
}

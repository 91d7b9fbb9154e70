import { describe, expect, it } from 'vitest';
import { isStatusByte, notReadyReason, type PrinterStatus, parseStatus, STATUS_REQUEST, statusBytes } from '../src/status.ts';

const ready: PrinterStatus = { online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false };

describe('DLE EOT real-time status', () => {
  it('asks for the printer status, the offline cause and the paper sensor in one write', () => {
    expect([...STATUS_REQUEST]).toEqual([0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04]);
  });

  it('reads the bytes an Epson printer answers', () => {
    // online, nothing wrong
    expect(parseStatus([0x12, 0x12, 0x12])).toEqual(ready);
    // paper out: offline (bit 3), stopped at paper end (n=2 bit 5), sensor says end (n=4 bits 5, 6)
    expect(parseStatus([0x1a, 0x32, 0x7e])).toEqual({ ...ready, online: false, paperOut: true, paperNearEnd: true });
    // cover open: offline, n=2 bit 2
    expect(parseStatus([0x1a, 0x16, 0x12])).toEqual({ ...ready, online: false, coverOpen: true });
    // paper near its end but printing
    expect(parseStatus([0x12, 0x12, 0x1e])).toEqual({ ...ready, paperNearEnd: true });
    // an error (n=2 bit 6)
    expect(parseStatus([0x1a, 0x52, 0x12])?.error).toBe(true);
  });

  it('refuses bytes that are not status bytes (fixed bits wrong) and short answers', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x13)).toBe(false);
    expect(isStatusByte(0x92)).toBe(false);
    expect(parseStatus([0x12, 0x41, 0x12])).toBeNull();
    expect(parseStatus([0x12, 0x12])).toBeNull();
  });

  it('round-trips every state through the bytes a printer would answer', () => {
    const states: PrinterStatus[] = [
      ready,
      { ...ready, online: false },
      { ...ready, online: false, coverOpen: true },
      { ...ready, online: false, paperOut: true, paperNearEnd: true },
      { ...ready, paperNearEnd: true },
      { ...ready, online: false, error: true },
    ];
    for (const state of states) expect(parseStatus(statusBytes(state))).toEqual(state);
  });

  it('says why a ticket must wait, and lets paper near its end print', () => {
    expect(notReadyReason(ready)).toBeNull();
    expect(notReadyReason({ ...ready, paperNearEnd: true })).toBeNull();
    expect(notReadyReason({ ...ready, online: false, paperOut: true })).toBe('paper out');
    expect(notReadyReason({ ...ready, online: false, coverOpen: true })).toBe('cover open');
    expect(notReadyReason({ ...ready, online: false, error: true })).toBe('printer error');
    expect(notReadyReason({ ...ready, online: false })).toBe('printer offline');
  });
});

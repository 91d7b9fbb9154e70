/**
 * Where the till measures itself: scan-to-cart (Enter in the barcode field to the line on
 * screen) and pay-to-receipt (Complete to the receipt on screen). Kept in
 * window.__posTimings for the benchmark (tests/bench/pos.ts) and as performance measures.
 */
/** scan, pay, fiscal: what the cashier sees; place, payment: the server's part of pay (placeOrder, recordPayment until it took) */
export type TimingKind = 'scan' | 'pay' | 'fiscal' | 'place' | 'payment';

declare global {
  interface Window {
    __posTimings?: Record<TimingKind, number[]>;
  }
}

function store(): Record<TimingKind, number[]> | null {
  if (typeof window === 'undefined') return null;
  window.__posTimings ??= { scan: [], pay: [], fiscal: [], place: [], payment: [] };
  return window.__posTimings;
}

export function startTiming(): number {
  return performance.now();
}

export function endTiming(kind: TimingKind, started: number): number {
  const ms = performance.now() - started;
  store()?.[kind].push(ms);
  try {
    performance.measure(`pos:${kind}`, { start: started, duration: ms });
  } catch {
    // older engines without measure options: the array is enough
  }
  return ms;
}

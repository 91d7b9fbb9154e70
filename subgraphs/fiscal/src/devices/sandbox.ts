import {
  DeviceUnavailable,
  type FiscalDevice,
  type FiscalDeviceState,
  type FiscalDeviceStatus,
  type FiscalReceipt,
  type FiscalRegistration,
} from './device.ts';

interface JournalEntry extends FiscalRegistration {
  receipt: FiscalReceipt;
  printed: number;
}

/**
 * A fiscal device in memory that behaves like an AMEF: its own fiscal counter (never reused,
 * never reset), a journal of what it registered, and states a person can put it in: OFFLINE
 * (unplugged, no answer), ERROR (paper out, cover open) or READY. A repeated registration of
 * one receipt answers with the first (what a real driver reads back from the journal).
 */
export class SandboxFiscalDevice implements FiscalDevice {
  readonly id: string;
  readonly serial: string;
  private state: FiscalDeviceState = 'READY';
  private message: string | null = null;
  private counter = 0;
  private readonly journal = new Map<string, JournalEntry>();

  constructor(id: string, options: { serial?: string } = {}) {
    this.id = id;
    this.serial =
      options.serial ??
      `SBX${id
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-7)
        .toUpperCase()
        .padStart(7, '0')}`;
  }

  setOnline(): void {
    this.state = 'READY';
    this.message = null;
  }

  setOffline(): void {
    this.state = 'OFFLINE';
    this.message = 'the device does not answer';
  }

  setError(message: string): void {
    this.state = 'ERROR';
    this.message = message;
  }

  /** What the device registered, in fiscal counter order (its electronic journal). */
  entries(): { receiptId: string; fiscalNumber: string; fiscalCounter: number; printed: number }[] {
    return [...this.journal.values()]
      .sort((a, b) => a.fiscalCounter - b.fiscalCounter)
      .map((e) => ({ receiptId: e.receipt.receiptId, fiscalNumber: e.fiscalNumber, fiscalCounter: e.fiscalCounter, printed: e.printed }));
  }

  async status(): Promise<FiscalDeviceStatus> {
    return { state: this.state, fiscalCounter: this.counter, message: this.message };
  }

  private requireReady(): void {
    if (this.state !== 'READY') throw new DeviceUnavailable(`${this.id}: ${this.message}`);
  }

  async registerReceipt(receipt: FiscalReceipt): Promise<FiscalRegistration> {
    this.requireReady();
    const known = this.journal.get(receipt.receiptId);
    if (known) return { fiscalNumber: known.fiscalNumber, fiscalCounter: known.fiscalCounter, registeredAt: known.registeredAt };
    this.counter += 1;
    const entry: JournalEntry = {
      receipt,
      fiscalCounter: this.counter,
      fiscalNumber: `${this.serial}-${String(this.counter).padStart(8, '0')}`,
      registeredAt: new Date(),
      printed: 0,
    };
    this.journal.set(receipt.receiptId, entry);
    return { fiscalNumber: entry.fiscalNumber, fiscalCounter: entry.fiscalCounter, registeredAt: entry.registeredAt };
  }

  async printFiscalTicket(fiscalNumber: string): Promise<void> {
    this.requireReady();
    const entry = [...this.journal.values()].find((e) => e.fiscalNumber === fiscalNumber);
    if (!entry) throw new Error(`${this.id}: no fiscal receipt ${fiscalNumber} in the journal`);
    entry.printed += 1;
  }
}

/**
 * A certified fiscal device (Romania: AMEF, "aparat de marcat electronic fiscal") behind one
 * interface, so a real driver and the sandbox are interchangeable. The device keeps its own
 * fiscal memory and counter: what it registered is the legal record of the sale, and the
 * ticket it prints is the fiscal receipt.
 *
 * Registration is keyed by our receipt id and a repeat must answer with the first
 * registration, never register twice: a real driver gets that by reading the device's
 * electronic journal for the last receipt before registering again (after a timeout nobody
 * knows whether the device closed the receipt). That is what makes retries safe.
 */
export interface FiscalDevice {
  readonly id: string;
  status(): Promise<FiscalDeviceStatus>;
  /** records the sale in the device's fiscal memory; throws DeviceUnavailable when it cannot */
  registerReceipt(receipt: FiscalReceipt): Promise<FiscalRegistration>;
  /** prints the fiscal ticket of a registered receipt; throws DeviceUnavailable when it cannot */
  printFiscalTicket(fiscalNumber: string): Promise<void>;
}

export type FiscalDeviceState = 'READY' | 'OFFLINE' | 'ERROR';

export interface FiscalDeviceStatus {
  state: FiscalDeviceState;
  /** the device's fiscal counter: receipts registered so far */
  fiscalCounter: number;
  /** why it is not READY (paper out, fiscal memory full, cover open...) */
  message: string | null;
}

/** What the device needs to register a sale; amounts are decimal strings with 2 decimals. */
export interface FiscalReceipt {
  /** our receipt id: the key that makes a repeat the same registration */
  receiptId: string;
  /** our receipt number, printed beside the device's */
  number: string;
  currency: string;
  total: string;
  lines: { name: string; quantity: string; unitPrice: string; total: string; vatRate: string }[];
  payments: { method: string; amount: string }[];
}

export interface FiscalRegistration {
  /** the device's number for the receipt (its serial and fiscal counter) */
  fiscalNumber: string;
  fiscalCounter: number;
  registeredAt: Date;
}

/** The device cannot take the request now (offline, in error): nothing was registered or printed; retry later. */
export class DeviceUnavailable extends Error {
  override name = 'DeviceUnavailable';
}

/** The devices this process drives, by id. A device is attached to one machine; other processes leave its work alone. */
export interface FiscalDevices {
  ids(): string[];
  named(id: string): FiscalDevice | null;
}

export function deviceRegistry(devices: FiscalDevice[]): FiscalDevices {
  const byId = new Map(devices.map((d) => [d.id, d]));
  return { ids: () => [...byId.keys()], named: (id) => byId.get(id) ?? null };
}

import { DomainError } from '@comanda/kit';

/**
 * How a store's receipts reach paper (DOMAIN.md, Receipts): where the law requires a certified
 * fiscal device (Romania: AMEF), the device registers the sale and prints the fiscal ticket;
 * elsewhere the print daemon prints the receipt. A per-store setting chooses.
 */
export const FISCAL_PATHS = ['PRINT_DAEMON', 'FISCAL_DEVICE'] as const;
export type FiscalPath = (typeof FISCAL_PATHS)[number];

/** PENDING -> REGISTERED (in the device's fiscal memory) -> PRINTED (the fiscal ticket is out). */
export const REGISTRATION_STATUSES = ['PENDING', 'REGISTERED', 'PRINTED'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function validateFiscalPath(input: { path: unknown; deviceId?: unknown }): { path: FiscalPath; deviceId: string | null } {
  if (!FISCAL_PATHS.includes(input.path as FiscalPath))
    throw new DomainError('INVALID_FISCAL_PATH', 'path is PRINT_DAEMON or FISCAL_DEVICE', ['input', 'path']);
  const path = input.path as FiscalPath;
  const deviceId = typeof input.deviceId === 'string' && input.deviceId.trim() ? input.deviceId.trim() : null;
  if (path === 'FISCAL_DEVICE' && !deviceId) throw new DomainError('DEVICE_REQUIRED', 'a fiscal device path names the device', ['input', 'deviceId']);
  if (deviceId && !DEVICE_ID.test(deviceId)) {
    throw new DomainError('INVALID_DEVICE_ID', 'a device id is 1-100 letters, digits and . _ : -', ['input', 'deviceId']);
  }
  return { path, deviceId: path === 'FISCAL_DEVICE' ? deviceId : null };
}

/** Waits between tries of a device that did not answer: 1 s, 2 s, 4 s ... at most a minute. */
export function registrationRetryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 60_000);
}

import { DomainError, type EntityManager, type Logger, runPeriodically, tenantEm, UUID } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DeviceUnavailable, type FiscalDevices } from '../devices/device.ts';
import { DEFAULT_COUNTRY, DEFAULT_CURRENCY, DEFAULT_TIMEZONE } from '../domain/documents.ts';
import { registrationRetryDelayMs, validateFiscalPath } from '../domain/fiscal-path.ts';
import { FiscalRegistration, type FiscalRegistrationRow, Receipt, type ReceiptRow, StoreSetting, type StoreSettingRow } from '../entities.ts';
import { publishReceiptFiscalized } from '../events.ts';
import { tenantOf } from './common.ts';

/**
 * The fiscal-device path of receipts: a store set to FISCAL_DEVICE gets, for each receipt, a
 * registration row (in the issuing transaction) instead of a print daemon job; the device
 * worker below takes due registrations, has the device register the sale and print the fiscal
 * ticket, and retries with backoff while the device is offline or in error. Nothing is lost:
 * the row stays until the device has printed.
 */

/** Chooses a store's path; creates the store's settings with the first market's defaults when fiscal has none. */
export async function configureFiscalPath(
  tx: EntityManager,
  input: { storeId: string; path: string; deviceId?: string | null },
  authorize: (storeId: string) => void,
): Promise<StoreSettingRow> {
  if (!UUID.test(input.storeId)) throw new DomainError('INVALID_STORE_ID', 'storeId is not a UUID', ['input', 'storeId']);
  const storeId = input.storeId.toLowerCase();
  authorize(storeId);
  const { path, deviceId } = validateFiscalPath(input);
  const setting =
    (await tx.findOne(StoreSetting, { storeId }, { refresh: true })) ??
    tx.create(StoreSetting, {
      tenantId: tenantOf(tx),
      storeId,
      currency: DEFAULT_CURRENCY,
      timezone: DEFAULT_TIMEZONE,
      countryCode: DEFAULT_COUNTRY,
      fiscalPath: 'PRINT_DAEMON',
      fiscalDeviceId: null,
      updatedAt: new Date(),
    });
  setting.fiscalPath = path;
  setting.fiscalDeviceId = deviceId;
  setting.updatedAt = new Date();
  await tx.flush();
  return setting;
}

/** In the issuing transaction: the device to register the receipt with, or null for the print daemon path. */
export async function registerWithDeviceIfRequired(tx: EntityManager, receipt: ReceiptRow): Promise<FiscalRegistrationRow | null> {
  const setting = await tx.findOne(StoreSetting, { storeId: receipt.storeId });
  if (setting?.fiscalPath !== 'FISCAL_DEVICE' || !setting.fiscalDeviceId) return null;
  const now = new Date();
  const registration = tx.create(FiscalRegistration, {
    receiptId: receipt.id,
    tenantId: receipt.tenantId,
    storeId: receipt.storeId,
    deviceId: setting.fiscalDeviceId,
    status: 'PENDING',
    fiscalNumber: null,
    fiscalCounter: null,
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    registeredAt: null,
    printedAt: null,
  });
  await tx.flush();
  return registration;
}

export interface DeviceWorkerOptions {
  intervalMs: number;
  batchSize: number;
}

export const DEFAULT_DEVICE_WORKER: DeviceWorkerOptions = { intervalMs: 1000, batchSize: 100 };

type Outcome = 'printed' | 'retry' | 'skipped';

/**
 * One registration, in one transaction bound to its tenant: the row is locked (SKIP LOCKED: a
 * second worker moves on), the device registers (once: a repeat answers the first) and prints,
 * and each step is kept, so an offline device between the two resumes at printing.
 */
async function drive(em: EntityManager, devices: FiscalDevices, receiptId: string, now: Date, log: Logger): Promise<Outcome> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ receipt_id: string }[]>(
      `select receipt_id from fiscal_registration where receipt_id = ? and status <> 'PRINTED' and next_attempt_at <= ? for update skip locked`,
      [receiptId, now],
    );
    if (!row) return 'skipped';
    const registration = await tx.findOneOrFail(FiscalRegistration, { receiptId }, { refresh: true });
    const device = devices.named(registration.deviceId);
    if (!device) return 'skipped';
    const receipt = await tx.findOneOrFail(Receipt, { id: receiptId });
    try {
      if (registration.status === 'PENDING') {
        const done = await device.registerReceipt({
          receiptId: receipt.id,
          number: receipt.number,
          currency: receipt.currency,
          total: receipt.total,
          lines: receipt.lines.map((l) => ({ name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total, vatRate: l.vatRate })),
          payments: receipt.payments.map((p) => ({ method: p.method, amount: p.amount })),
        });
        registration.status = 'REGISTERED';
        registration.fiscalNumber = done.fiscalNumber;
        registration.fiscalCounter = done.fiscalCounter;
        registration.registeredAt = done.registeredAt;
        await tx.flush();
        await publishReceiptFiscalized(tx, receipt, registration);
      }
      await device.printFiscalTicket(registration.fiscalNumber!);
      registration.status = 'PRINTED';
      registration.printedAt = new Date();
      registration.lastError = null;
      await tx.flush();
      return 'printed';
    } catch (error) {
      if (!(error instanceof DeviceUnavailable)) throw error;
      registration.attempts += 1;
      registration.lastError = error.message.slice(0, 2000);
      registration.nextAttemptAt = new Date(now.getTime() + registrationRetryDelayMs(registration.attempts));
      await tx.flush();
      log.warn({ receiptId, deviceId: registration.deviceId, attempts: registration.attempts, err: error }, 'fiscal device unavailable; will retry');
      return 'retry';
    }
  });
}

/**
 * One pass over the unprinted registrations of the devices this process drives, oldest first:
 * a device registers receipts in their order (its fiscal counter follows our numbers), so at
 * the first one of a device that is not due yet or fails, that device waits for the next pass.
 * Returns how many receipts were printed.
 */
export async function driveDueRegistrations(
  orm: MikroORM,
  devices: FiscalDevices,
  log: Logger,
  options: { batchSize: number; now?: Date } = DEFAULT_DEVICE_WORKER,
): Promise<number> {
  const ids = devices.ids();
  if (!ids.length) return 0;
  const now = options.now ?? new Date();
  const queue = await orm.em.fork().execute<{ tenant_id: string; receipt_id: string; device_id: string; due: boolean }[]>(
    // ids never hold a comma (validateFiscalPath); a JS array would be expanded into a list of parameters
    "select tenant_id, receipt_id, device_id, due from due_fiscal_registrations(string_to_array(?, ','), ?, ?)",
    [ids.join(','), now, options.batchSize],
  );
  const waiting = new Set<string>();
  let printed = 0;
  for (const { tenant_id: tenantId, receipt_id: receiptId, device_id: deviceId, due } of queue) {
    if (waiting.has(deviceId)) continue;
    const outcome = due ? await drive(tenantEm(orm, tenantId), devices, receiptId, now, log) : 'retry';
    if (outcome === 'printed') printed++;
    else waiting.add(deviceId);
  }
  return printed;
}

/** Starts the worker (only where devices are attached); the stopper waits for a pass in progress. */
export function startDeviceWorker(orm: MikroORM, devices: FiscalDevices, log: Logger, options: DeviceWorkerOptions): () => Promise<void> {
  if (!devices.ids().length) return async () => {};
  return runPeriodically(() => driveDueRegistrations(orm, devices, log, options), {
    intervalMs: options.intervalMs,
    log,
    what: 'fiscal device pass',
  });
}

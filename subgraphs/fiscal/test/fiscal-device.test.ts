import { toEnvelope } from '@comanda/kafka';
import { appDatabaseUrl, createLogger, openOrm } from '@comanda/kit';
import { loadEventCatalog } from '@comanda/schema/events';
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, demo, gql, withSubgraphEm } from '../../../tests/support/client.ts';
import { deviceRegistry, SandboxFiscalDevice } from '../src/devices/index.ts';
import { fiscal, issueReceipt, type ReceiptSnapshot } from '../src/index.ts';
import { driveDueRegistrations } from '../src/services/fiscal-devices.ts';

/**
 * The fiscal-device path with a sandbox AMEF that this test drives (the stack's own worker only
 * drives the devices it is attached to, which this one is not). A store of its own, so the
 * setting changes nothing for other tests.
 */
const STORE = uuidv7();
const DEVICE = `test-amef-${uuidv7()}`;
const device = new SandboxFiscalDevice(DEVICE, { serial: 'TST0001' });
const devices = deviceRegistry([device]);
const log = createLogger('fiscal-device-test');
let orm: MikroORM;

const CONFIGURE = `mutation($i: ConfigureFiscalPathInput!) { configureFiscalPath(input: $i) { setting { path deviceId currencyCode store { id } } userErrors { code field } } }`;
const RECEIPT = `query($id: ID!) { receipt(id: $id) { number printJobs { id } fiscalRegistration { status deviceId fiscalNumber attempts lastError registeredAt printedAt } } }`;

function sale(): ReceiptSnapshot {
  return {
    orderId: uuidv7(),
    storeId: STORE,
    currency: 'RON',
    total: '24.50',
    vatBreakdown: [{ rate: '11', taxableAmount: '22.07', taxAmount: '2.43' }],
    lines: [{ name: 'Ground coffee 250g', sku: 'DEMO-002-S', quantity: '1', unitPrice: '24.50', total: '24.50', vatRate: '11' }],
    payments: [{ method: 'CASH', amount: '24.50', change: null }],
  };
}

const issue = () => withSubgraphEm(fiscal, demo.tenantId, (em) => issueReceipt(em, sale()));
const registration = async (receiptId: string) => (await gql(RECEIPT, { id: receiptId })).data.receipt;
/** a pass as the worker runs it, `aheadMs` in the future so backoff waits need not be slept through */
const pass = (aheadMs = 0) => driveDueRegistrations(orm, devices, log, { batchSize: 100, now: new Date(Date.now() + aheadMs) });

beforeAll(async () => {
  orm = await openOrm(fiscal.name, fiscal.entities, appDatabaseUrl(databaseUrl(), fiscal.name));
});
afterAll(async () => {
  await orm?.close();
});

describe('the fiscal-device path', () => {
  it('is chosen per store by an owner or manager, and needs a device', async () => {
    const missing = await gql(CONFIGURE, { i: { storeId: STORE, path: 'FISCAL_DEVICE' } });
    expect(missing.data.configureFiscalPath).toEqual({ setting: null, userErrors: [{ code: 'DEVICE_REQUIRED', field: ['input', 'deviceId'] }] });
    const bad = await gql(CONFIGURE, { i: { storeId: 'nope', path: 'PRINT_DAEMON' } });
    expect(bad.data.configureFiscalPath.userErrors[0].code).toBe('INVALID_STORE_ID');
    const res = await gql(CONFIGURE, { i: { storeId: STORE, path: 'FISCAL_DEVICE', deviceId: DEVICE } });
    expect(res.data.configureFiscalPath).toEqual({
      setting: { path: 'FISCAL_DEVICE', deviceId: DEVICE, currencyCode: 'RON', store: { id: STORE } },
      userErrors: [],
    });
    const read = await gql(`query($s: ID!) { storeFiscalSetting(storeId: $s) { path deviceId } }`, { s: STORE });
    expect(read.data.storeFiscalSetting).toEqual({ path: 'FISCAL_DEVICE', deviceId: DEVICE });
    const seeded = await gql(`query($s: ID!) { storeFiscalSetting(storeId: $s) { path deviceId currencyCode } }`, { s: demo.stores[0]!.id });
    expect(seeded.data.storeFiscalSetting).toEqual({ path: 'PRINT_DAEMON', deviceId: null, currencyCode: 'RON' });
  });

  it('registers and prints through the device; no print daemon job for the original', async () => {
    const receipt = await issue();
    expect(await registration(receipt.id)).toMatchObject({
      printJobs: [],
      fiscalRegistration: { status: 'PENDING', deviceId: DEVICE, fiscalNumber: null },
    });
    expect(await pass()).toBe(1);
    const after = await registration(receipt.id);
    expect(after.fiscalRegistration).toMatchObject({
      status: 'PRINTED',
      attempts: 0,
      lastError: null,
      fiscalNumber: expect.stringMatching(/^TST0001-\d{8}$/),
    });
    expect(device.entries().filter((e) => e.receiptId === receipt.id)).toEqual([
      { receiptId: receipt.id, fiscalNumber: after.fiscalRegistration.fiscalNumber, fiscalCounter: expect.any(Number), printed: 1 },
    ]);
    // nothing left to do: another pass changes nothing
    expect(await pass()).toBe(0);
  });

  it('keeps receipts while the device is offline or in error and registers them all, in order, once it is back', async () => {
    device.setOffline();
    const receipts = [];
    for (let i = 0; i < 3; i++) receipts.push(await issue());
    expect(await pass()).toBe(0);
    const waiting = await registration(receipts[0]!.id);
    expect(waiting.fiscalRegistration).toMatchObject({ status: 'PENDING', attempts: 1, lastError: expect.stringMatching(/does not answer/) });
    // the device blocks the rest in order: only the first was tried
    expect((await registration(receipts[1]!.id)).fiscalRegistration.attempts).toBe(0);
    // before the backoff is over nothing is tried again
    expect(await pass()).toBe(0);
    expect((await registration(receipts[0]!.id)).fiscalRegistration.attempts).toBe(1);

    device.setError('paper out');
    expect(await pass(5_000)).toBe(0);
    expect((await registration(receipts[0]!.id)).fiscalRegistration).toMatchObject({ attempts: 2, lastError: expect.stringMatching(/paper out/) });

    device.setOnline();
    expect(await pass(60_000)).toBe(3);
    const counters = [];
    for (const r of receipts) {
      const { fiscalRegistration } = await registration(r.id);
      expect(fiscalRegistration.status).toBe('PRINTED');
      counters.push(device.entries().find((e) => e.receiptId === r.id)!.fiscalCounter);
    }
    // the device's counter follows the receipts' numbers, each registered once
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
    expect(new Set(device.entries().map((e) => e.receiptId)).size).toBe(device.entries().length);

    const events = await adminQuery(
      `select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from fiscal.outbox
        where type = 'comanda.fiscal.receipt.fiscalized.v1' and aggregate_id = any($1)`,
      [receipts.map((r) => r.id)],
    );
    expect(events).toHaveLength(3);
    const catalog = loadEventCatalog();
    for (const row of events) expect(catalog.validate(toEnvelope('fiscal', row))).toBeNull();
  });

  it('resumes at printing when the device went away between registering and printing', async () => {
    const receipt = await issue();
    const original = device.printFiscalTicket.bind(device);
    device.printFiscalTicket = async () => {
      device.setOffline();
      return original('none');
    };
    expect(await pass(120_000)).toBe(0);
    device.printFiscalTicket = original;
    const half = await registration(receipt.id);
    expect(half.fiscalRegistration).toMatchObject({ status: 'REGISTERED', attempts: 1, fiscalNumber: expect.any(String) });
    device.setOnline();
    expect(await pass(180_000)).toBe(1);
    expect((await registration(receipt.id)).fiscalRegistration).toMatchObject({
      status: 'PRINTED',
      fiscalNumber: half.fiscalRegistration.fiscalNumber,
    });
    expect(device.entries().filter((e) => e.receiptId === receipt.id)).toHaveLength(1);
  });

  it('reprints a fiscal-device receipt as a non-fiscal COPY on the print daemon', async () => {
    // the store needs a receipt printer for the copy: a store without one says so
    const receipt = await issue();
    const res = await gql(`mutation($i: ReprintReceiptInput!) { reprintReceipt(input: $i) { printJob { copy } userErrors { code } } }`, {
      i: { receiptId: receipt.id },
    });
    expect(res.data.reprintReceipt.userErrors).toEqual([{ code: 'NO_RECEIPT_PRINTER' }]);
  });
});

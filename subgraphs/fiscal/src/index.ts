import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { devicesFromEnv, type FiscalDevices } from './devices/index.ts';
import { type Authorities, authoritiesFromEnv } from './einvoice/index.ts';
import { entities } from './entities.ts';
import { liveFeed } from './live.ts';
import { migrations } from './migrations/0001_fiscal.ts';
import { FiscalSales } from './migrations/0002_sales.ts';
import { FiscalShifts } from './migrations/0003_shifts.ts';
import { FiscalDevices as FiscalDevicesMigration } from './migrations/0004_fiscal_devices.ts';
import { FiscalEInvoices } from './migrations/0005_einvoices.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';
import { DEFAULT_SUBMITTER, type SubmitterOptions, startEInvoiceSubmitter } from './services/einvoices.ts';
import { DEFAULT_DEVICE_WORKER, type DeviceWorkerOptions, startDeviceWorker } from './services/fiscal-devices.ts';

export interface FiscalOptions {
  /** the fiscal devices this process drives; by default the sandbox ones named in the environment */
  devices?: FiscalDevices;
  deviceWorker?: DeviceWorkerOptions;
  /** the e-invoicing authorities this process submits to; by default the sandbox (and ANAF when configured) */
  authorities?: Authorities;
  submitter?: SubmitterOptions;
}

export function createFiscal(options: FiscalOptions = {}): SubgraphModule {
  const devices = options.devices ?? devicesFromEnv();
  const authorities = options.authorities ?? authoritiesFromEnv();
  return {
    name: 'fiscal',
    port: 4106,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    entities,
    migrations: [
      ...migrations,
      { name: '0002_sales', class: FiscalSales },
      { name: '0003_shifts', class: FiscalShifts },
      { name: '0004_fiscal_devices', class: FiscalDevicesMigration },
      { name: '0005_einvoices', class: FiscalEInvoices },
    ],
    consumes: reactions,
    live: liveFeed,
    background: async (runtime) => {
      const stopDevices = startDeviceWorker(runtime.orm, devices, runtime.log, options.deviceWorker ?? DEFAULT_DEVICE_WORKER);
      const stopSubmitter = startEInvoiceSubmitter(runtime.orm, authorities, runtime.log, options.submitter ?? DEFAULT_SUBMITTER);
      return async () => {
        await Promise.all([stopDevices(), stopSubmitter()]);
      };
    },
  };
}

export const fiscal: SubgraphModule = createFiscal();

export type { InvoiceRequest, ReceiptSnapshot } from './domain/documents.ts';
export { issueInvoice } from './services/invoices.ts';
export { type AcknowledgeInput, acknowledgePrintJob } from './services/print-jobs.ts';
export { issueReceipt, reprintReceipt } from './services/receipts.ts';

import type { EntityManager } from '@comanda/kit';
import { Printer, SellerProfile, StoreSetting } from './entities.ts';

/** The part of the demo tenant (scripts/demo/data.ts) this subgraph keeps: each store's receipt printer and settings. */
export interface FiscalSeed {
  tenantId: string;
  stores: { id: string; name: string; printerId: string; printerName: string; currencyCode: string; timezone: string; countryCode: string }[];
}

/** A Romanian tenant's demo seller: a valid CUI, a Bucharest address (county RO-B, city its sector). */
function demoSeller(tenantId: string, storeName: string) {
  return {
    tenantId,
    legalName: `${storeName} SRL`,
    vatId: 'RO12345674',
    companyId: '12345674',
    tradeRegister: 'J40/1234/2020',
    street: 'Strada Demo 1',
    city: 'SECTOR1',
    county: 'RO-B',
    postalCode: '010011',
    countryCode: 'RO',
    iban: 'RO49AAAA1B31007593840000',
    authority: 'sandbox',
    updatedAt: new Date(),
  };
}

export async function seed(em: EntityManager, tenant: FiscalSeed): Promise<void> {
  const first = tenant.stores[0];
  if (first?.countryCode === 'RO' && !(await em.findOne(SellerProfile, { tenantId: tenant.tenantId }))) {
    em.create(SellerProfile, demoSeller(tenant.tenantId, first.name));
  }
  const existing = new Set((await em.find(Printer, { id: { $in: tenant.stores.map((s) => s.printerId) } })).map((p) => p.id));
  for (const store of tenant.stores) {
    if (existing.has(store.printerId)) continue;
    em.create(Printer, {
      id: store.printerId,
      tenantId: tenant.tenantId,
      storeId: store.id,
      name: store.printerName,
      kind: 'RECEIPT',
      createdAt: new Date(),
    });
  }
  const settled = new Set((await em.find(StoreSetting, { storeId: { $in: tenant.stores.map((s) => s.id) } })).map((s) => s.storeId));
  for (const store of tenant.stores) {
    if (settled.has(store.id)) continue;
    em.create(StoreSetting, {
      tenantId: tenant.tenantId,
      storeId: store.id,
      currency: store.currencyCode,
      timezone: store.timezone,
      countryCode: store.countryCode,
      fiscalPath: 'PRINT_DAEMON',
      fiscalDeviceId: null,
      updatedAt: new Date(),
    });
  }
  await em.flush();
}

import type { EntityManager } from '@comanda/kit';
import { Printer } from './entities.ts';

/** The part of the demo tenant (scripts/demo/data.ts) this subgraph keeps: each store's receipt printer. */
export interface FiscalSeed {
  tenantId: string;
  stores: { id: string; printerId: string; printerName: string }[];
}

export async function seed(em: EntityManager, tenant: FiscalSeed): Promise<void> {
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
  await em.flush();
}

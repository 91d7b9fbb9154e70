import { type DemoTenant, idOf } from '../../scripts/demo/data.ts';

/** The tenant with `count` stores: its own, then more like its first (own location and printer each). */
export function withStores(tenant: DemoTenant, count: number): DemoTenant {
  const [first] = tenant.stores;
  if (!first || count <= tenant.stores.length) return tenant;
  const extra = Array.from({ length: count - tenant.stores.length }, (_, i) => {
    const n = tenant.stores.length + i + 1;
    return {
      ...first,
      id: idOf(`${tenant.tenantId}:bench:store:${n}`),
      name: `Bench store ${n}`,
      locationId: idOf(`${tenant.tenantId}:bench:location:${n}`),
      printerId: idOf(`${tenant.tenantId}:bench:printer:${n}`),
      printerName: `Bench printer ${n}`,
    };
  });
  return { ...tenant, stores: [...tenant.stores, ...extra] };
}

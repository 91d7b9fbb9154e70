import type { EntityManager } from '@comanda/kit';
import { isValidEan13 } from './domain/ean13.ts';
import { defaultOrderNumberPrefix } from './domain/order-number.ts';
import { Product, ProductVariant, Store } from './entities.ts';
import { putVatPeriod } from './services/vat-rates.ts';

/** The part of the demo tenant (scripts/demo/data.ts) this subgraph keeps. */
export interface OrdersSeed {
  tenantId: string;
  stores: { id: string; name: string; currencyCode: string; countryCode: string; timezone: string; pricesIncludeVat: boolean }[];
  products: {
    id: string;
    name: string;
    variants: { id: string; productId: string; sku: string; barcode: string; name: string; price: string; vatRate: string }[];
  }[];
}

/** Idempotent: rows that exist (by id) are left as they are. */
export async function seed(em: EntityManager, tenant: OrdersSeed): Promise<void> {
  const now = new Date();
  const existingStores = new Set((await em.find(Store, { id: { $in: tenant.stores.map((s) => s.id) } })).map((s) => s.id));
  tenant.stores.forEach((s, i) => {
    if (existingStores.has(s.id)) return;
    em.create(Store, {
      id: s.id,
      tenantId: tenant.tenantId,
      name: s.name,
      currencyCode: s.currencyCode,
      countryCode: s.countryCode,
      timezone: s.timezone,
      pricesIncludeVat: s.pricesIncludeVat,
      pendingTimeoutMinutes: 30,
      orderNumberPrefix: defaultOrderNumberPrefix(s.name),
      // a stable order: the first listed store is the tenant's first (its currency prices bare references)
      createdAt: new Date(now.getTime() + i),
    });
  });

  const existingProducts = new Set((await em.find(Product, { id: { $in: tenant.products.map((p) => p.id) } })).map((p) => p.id));
  const variants = tenant.products.flatMap((p) => p.variants);
  const existingVariants = new Set((await em.find(ProductVariant, { id: { $in: variants.map((v) => v.id) } })).map((v) => v.id));
  for (const product of tenant.products) {
    if (!existingProducts.has(product.id)) {
      em.create(Product, { id: product.id, tenantId: tenant.tenantId, name: product.name, archivedAt: null, createdAt: now, updatedAt: now });
    }
    product.variants.forEach((v, position) => {
      if (existingVariants.has(v.id)) return;
      if (!isValidEan13(v.barcode)) throw new Error(`seed: ${v.sku} has an invalid EAN-13 barcode ${v.barcode}`);
      em.create(ProductVariant, {
        id: v.id,
        tenantId: tenant.tenantId,
        productId: product.id,
        position,
        sku: v.sku,
        barcode: v.barcode,
        name: v.name,
        price: v.price,
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
      });
    });
  }
  await em.flush();
  // the rate each new variant was created with: its first VAT period
  for (const v of variants) {
    if (!existingVariants.has(v.id)) await putVatPeriod(em, tenant.tenantId, v.id, { validFrom: null, rate: v.vatRate }, 'seed');
  }
}

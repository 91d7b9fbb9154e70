import type { EntityManager } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';

/** The part of the demo tenant (scripts/demo/data.ts) this subgraph keeps: a location per store and its opening stock. */
export interface LogisticsSeed {
  tenantId: string;
  stores: { id: string; name: string; locationId: string }[];
  products: { variants: { id: string; stock: string }[] }[];
}

/**
 * Idempotent: locations are keyed by id, and each opening RECEIPT by an idempotency key of its
 * location and variant, so seeding twice changes nothing.
 */
export async function seed(em: EntityManager, tenant: LogisticsSeed): Promise<void> {
  const now = new Date();
  for (const store of tenant.stores) {
    await em.execute(
      `insert into stock_location (id, tenant_id, store_id, name, kind, created_at) values (?, ?, ?, ?, 'STORE', ?) on conflict (id) do nothing`,
      [store.locationId, tenant.tenantId, store.id, store.name, now],
    );
  }
  const variants = tenant.products.flatMap((p) => p.variants);
  const rows = tenant.stores.flatMap((store) => variants.map((variant) => ({ locationId: store.locationId, variant })));
  if (!rows.length) return;
  await em.execute(
    `insert into inventory_ledger (id, tenant_id, movement_id, location_id, variant_id, kind, quantity, idempotency_key, actor, note, created_at)
     values ${rows.map(() => `(?, ?, ?, ?, ?, 'RECEIPT', ?, ?, 'system:seed', 'opening stock', ?)`).join(', ')}
     on conflict (tenant_id, idempotency_key) do nothing`,
    rows.flatMap(({ locationId, variant }) => [
      uuidv7(),
      tenant.tenantId,
      uuidv7(),
      locationId,
      variant.id,
      variant.stock,
      `seed:receipt:${locationId}:${variant.id}`,
      now,
    ]),
  );
}

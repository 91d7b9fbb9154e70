import type { EntityManager } from '@comanda/kit';
import { Customer, CustomerAddress } from './entities.ts';

/** The part of the demo tenant (scripts/demo/data.ts) this subgraph keeps. */
export interface CustomerSeed {
  tenantId: string;
  customers: {
    id: string;
    kind: 'PERSON' | 'COMPANY';
    name: string;
    email: string | null;
    phone: string | null;
    taxId: string | null;
    tags: string[];
  }[];
}

/** Idempotent: customers already there are left alone. Each gets one address, its default for billing and shipping. */
export async function seed(em: EntityManager, tenant: CustomerSeed): Promise<void> {
  const existing = new Set((await em.find(Customer, { id: { $in: tenant.customers.map((c) => c.id) } })).map((c) => c.id));
  for (const c of tenant.customers) {
    if (existing.has(c.id)) continue;
    const createdAt = new Date();
    em.create(Customer, {
      id: c.id,
      tenantId: tenant.tenantId,
      kind: c.kind,
      status: 'ACTIVE',
      name: c.name,
      email: c.email,
      phone: c.phone,
      taxId: c.taxId,
      tags: c.tags,
      marketingConsent: false,
      createdAt,
    });
    em.create(CustomerAddress, {
      id: crypto.randomUUID(),
      tenantId: tenant.tenantId,
      customerId: c.id,
      line1: 'Str. Exemplu 1',
      city: 'București',
      region: 'RO-B',
      postalCode: '010101',
      countryCode: 'RO',
      defaultBilling: true,
      defaultShipping: true,
      createdAt,
    });
  }
  await em.flush();
}

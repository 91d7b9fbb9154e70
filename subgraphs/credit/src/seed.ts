import type { EntityManager } from '@comanda/kit';
import { assessCredit } from './domain/scoring.ts';
import { tenantOf } from './services/common.ts';
import { DEFAULT_CURRENCY, writeProfile } from './services/profiles.ts';

/** The part of the demo tenant (scripts/demo/data.ts) this subgraph keeps. */
export interface CreditSeed {
  tenantId: string;
  customers: {
    id: string;
    credit: { registry: number; financials: number; behaviour: number; insolvency: number; litigation: number; annualRevenue: string } | null;
  }[];
}

/**
 * A RON profile for each customer with credit data. A profile that exists is left as it is, so a
 * second run changes nothing, also after someone recalculated a seeded profile.
 */
export async function seed(em: EntityManager, tenant: CreditSeed): Promise<void> {
  if (tenantOf(em) !== tenant.tenantId) throw new Error(`seed for ${tenant.tenantId} got an EntityManager bound to ${tenantOf(em)}`);
  for (const customer of tenant.customers) {
    if (!customer.credit) continue;
    const { annualRevenue, ...factors } = customer.credit;
    const assessment = assessCredit({ factors, annualRevenue });
    await writeProfile(em, { customerId: customer.id, currency: DEFAULT_CURRENCY, assessment, actor: 'seed' }, 'keep');
  }
}

import { AnafRegistry } from './anaf.ts';
import type { CompanyRegistry } from './company-registry.ts';
import { sandboxAnafFetch } from './sandbox.ts';

/**
 * The sandbox unless CUSTOMERS_COMPANY_REGISTRY=anaf asks for the real register
 * (CUSTOMERS_ANAF_URL overrides its address; CUSTOMERS_REGISTRY_TIMEOUT_MS the deadline, 3 s).
 */
export function companyRegistryFromEnv(env: NodeJS.ProcessEnv = process.env): CompanyRegistry {
  const timeoutMs = Number(env.CUSTOMERS_REGISTRY_TIMEOUT_MS) || 3000;
  if (env.CUSTOMERS_COMPANY_REGISTRY === 'anaf') {
    return new AnafRegistry({ name: 'anaf', fetch: (url, init) => fetch(url, init), url: env.CUSTOMERS_ANAF_URL, timeoutMs });
  }
  return new AnafRegistry({ name: 'sandbox', fetch: sandboxAnafFetch(), timeoutMs });
}

export type { CompanyRecord, CompanyRegistry } from './company-registry.ts';
export { RegistryUnavailable } from './company-registry.ts';

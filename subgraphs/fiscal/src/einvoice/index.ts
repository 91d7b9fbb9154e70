import { AnafRestAuthority } from './anaf-rest.ts';
import { type Authorities, authorityRegistry, type EInvoiceAuthority } from './authority.ts';
import { SandboxAuthority } from './sandbox-authority.ts';

export { AnafRestAuthority } from './anaf-rest.ts';
export * from './authority.ts';
export { SandboxAuthority } from './sandbox-authority.ts';

/** Where a tenant's e-invoices go unless its seller profile says otherwise. */
export const DEFAULT_AUTHORITY = 'sandbox';

/**
 * The authorities this process submits to: always the sandbox (COMANDA_EINVOICE_SANDBOX_PROCESSING_MS
 * sets how long it keeps an upload "in prelucrare", default 1,000), and ANAF itself (`anaf-test`
 * or `anaf-prod`, COMANDA_ANAF_ENVIRONMENT) when COMANDA_ANAF_ACCESS_TOKEN holds an OAuth2 token.
 */
export function authoritiesFromEnv(env: NodeJS.ProcessEnv = process.env): Authorities {
  const processingMs = Number(env.COMANDA_EINVOICE_SANDBOX_PROCESSING_MS);
  const list: EInvoiceAuthority[] = [
    new SandboxAuthority({ processingMs: Number.isFinite(processingMs) && processingMs >= 0 ? processingMs : 1_000 }),
  ];
  const token = env.COMANDA_ANAF_ACCESS_TOKEN;
  if (token) {
    list.push(new AnafRestAuthority({ environment: env.COMANDA_ANAF_ENVIRONMENT === 'prod' ? 'prod' : 'test', accessToken: async () => token }));
  }
  return authorityRegistry(list);
}

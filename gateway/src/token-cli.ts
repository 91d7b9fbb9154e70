/**
 * npm run token -- --tenant demo --role manager [--store ID]... [--printer ID] [--ttl SECONDS]
 * Prints only the token, so `TOKEN=$(npm run -s token -- ...)` works.
 */
import { parseArgs } from 'node:util';
import type { Role } from '@comanda/kit';
import { loadKeys } from './keys.ts';
import { mintToken } from './tokens.ts';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'demo' },
    role: { type: 'string', default: 'manager' },
    user: { type: 'string' },
    store: { type: 'string', multiple: true },
    printer: { type: 'string' },
    ttl: { type: 'string' },
  },
});

try {
  const keys = await loadKeys();
  if (!keys.privateKey) throw new Error('no private key to sign with (COMANDA_JWT_PRIVATE_KEY or .keys/jwt-private.pem)');
  const token = await mintToken(
    {
      tenant: values.tenant ?? 'demo',
      role: values.role as Role,
      user: values.user,
      stores: values.store,
      printer: values.printer,
      ttl: values.ttl ? Number(values.ttl) : undefined,
    },
    keys.privateKey,
  );
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`token: ${(error as Error).message}\n`);
  process.exit(2);
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CryptoKey, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from 'jose';

/**
 * Development keys live in .keys/ (git-ignored) and are created on first start: an ES256 pair
 * for caller tokens and a random secret for the gateway-to-subgraph identity. Production
 * passes COMANDA_JWT_PUBLIC_KEY / COMANDA_JWT_PRIVATE_KEY (PEM) and COMANDA_INTERNAL_SECRET.
 */
export interface Keys {
  publicKey: CryptoKey;
  /** only where tokens are minted (dev, tests) */
  privateKey: CryptoKey | null;
  internalSecret: string;
}

export const JWT_ALG = 'ES256';
export const JWT_ISSUER = process.env.COMANDA_JWT_ISSUER ?? 'comanda-dev';
export const JWT_AUDIENCE = process.env.COMANDA_JWT_AUDIENCE ?? 'comanda-api';

export function keysDir(): string {
  return process.env.COMANDA_KEYS_DIR ?? fileURLToPath(new URL('../../.keys/', import.meta.url));
}

async function ensureDevKeys(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const priv = join(dir, 'jwt-private.pem');
  if (!existsSync(priv)) {
    const pair = await generateKeyPair(JWT_ALG, { extractable: true });
    writeFileSync(join(dir, 'jwt-public.pem'), await exportSPKI(pair.publicKey));
    writeFileSync(priv, await exportPKCS8(pair.privateKey), { mode: 0o600 });
  }
  const secret = join(dir, 'internal.secret');
  if (!existsSync(secret)) writeFileSync(secret, randomBytes(32).toString('hex'), { mode: 0o600 });
}

export async function loadKeys(dir = keysDir()): Promise<Keys> {
  const env = process.env;
  if (!env.COMANDA_JWT_PUBLIC_KEY || !env.COMANDA_INTERNAL_SECRET) await ensureDevKeys(dir);
  const publicPem = env.COMANDA_JWT_PUBLIC_KEY ?? readFileSync(join(dir, 'jwt-public.pem'), 'utf8');
  const privatePem =
    env.COMANDA_JWT_PRIVATE_KEY ?? (existsSync(join(dir, 'jwt-private.pem')) ? readFileSync(join(dir, 'jwt-private.pem'), 'utf8') : null);
  return {
    publicKey: await importSPKI(publicPem, JWT_ALG),
    privateKey: privatePem ? await importPKCS8(privatePem, JWT_ALG) : null,
    internalSecret: env.COMANDA_INTERNAL_SECRET ?? readFileSync(join(dir, 'internal.secret'), 'utf8').trim(),
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Role } from '@comanda/kit';
import type { CryptoKey } from 'jose';
import { mintToken } from './tokens.ts';

/**
 * Development sign-in for the POS: a fixed set of users of one tenant and one password, so a
 * cashier can sign in on a fresh `npm start` without minting a token by hand. Only a gateway
 * that was given `devLogin` (npm start, the tests; never the standalone gateway unless
 * COMANDA_DEV_LOGIN=1) answers POST /auth/dev-login; real deployments sign tokens elsewhere.
 */
export interface DevLoginOptions {
  tenantId: string;
  password: string;
  /** user name -> role; the token's subject is `<user>@<tenant>` */
  users: Record<string, Role>;
  /** seconds; default 12 hours, a shift and then some */
  ttl?: number;
}

export const DEV_USERS: Record<string, Role> = { cashier: 'cashier', manager: 'manager' };
export const DEV_PASSWORD = process.env.COMANDA_DEV_PASSWORD ?? 'comanda';

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 4096) return null;
  }
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function devLoginRoute(options: DevLoginOptions, privateKey: CryptoKey) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== '/auth/dev-login') return false;
    if (req.method !== 'POST') return json(res, 405, { error: 'POST { "username", "password" }' });
    const body = await readJson(req);
    const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    const role = Object.hasOwn(options.users, username) ? options.users[username] : undefined;
    // the same answer for an unknown user and a wrong password
    if (!role || !same(password, options.password)) return json(res, 401, { error: 'unknown user or wrong password' });
    const ttl = options.ttl ?? 12 * 3600;
    const token = await mintToken({ tenant: options.tenantId, role, user: `${username}@${options.tenantId}`, ttl }, privateKey);
    return json(res, 200, { token, role, tenant: options.tenantId, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() });
  };
}

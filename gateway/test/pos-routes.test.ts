import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devLoginRoute } from '../src/dev-login.ts';
import { posRoute } from '../src/pos-static.ts';
import { verifyToken } from '../src/tokens.ts';

let dir: string;
let servers: Server[] = [];

/** the POS route, and optionally another, on a server of their own */
async function serve(dist: string, extra?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>): Promise<string> {
  const route = posRoute(dist);
  const server = createServer(async (req, res) => {
    if (!route(req, res) && !(await extra?.(req, res))) res.writeHead(404).end('not mine');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-dist-'));
  mkdirSync(join(dir, 'built', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'built', 'index.html'), '<!doctype html><title>POS</title>');
  writeFileSync(join(dir, 'built', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
});

afterAll(() => {
  for (const server of servers) server.close();
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('the POS at /pos', () => {
  it('serves the build: hashed assets for good, index.html for every screen, nothing outside the build', async () => {
    const base = await serve(join(dir, 'built'));
    const asset = await fetch(`${base}/pos/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');

    const screen = await fetch(`${base}/pos/orders`);
    expect(screen.status).toBe(200);
    expect(screen.headers.get('cache-control')).toBe('no-cache');
    expect(await screen.text()).toContain('<title>POS</title>');

    expect((await fetch(`${base}/pos/assets/gone-123.js`)).status).toBe(404);
    expect(await (await fetch(`${base}/pos/..%2Fsecret.txt`)).text()).not.toContain('outside the build');
    expect((await fetch(`${base}/pos`, { redirect: 'manual' })).headers.get('location')).toBe('/pos/');
    expect((await fetch(`${base}/pos/`, { method: 'POST' })).status).toBe(405);
    expect(await (await fetch(`${base}/graphql`)).text()).toBe('not mine');
  });

  it('says how to build it when it is not built, instead of failing', async () => {
    const base = await serve(join(dir, 'missing'));
    const res = await fetch(`${base}/pos/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run pos:build');
  });
});

describe('development sign-in', () => {
  it('gives a token of the tenant for a known user and the password, and nothing otherwise', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const base = await serve(join(dir, 'built'), devLoginRoute({ tenantId: 'demo', password: 'secret', users: { cashier: 'cashier' } }, privateKey));
    const login = (body: unknown) =>
      fetch(`${base}/auth/dev-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await login({ username: 'cashier', password: 'wrong' })).status).toBe(401);
    expect((await login({ username: 'owner', password: 'secret' })).status).toBe(401);
    expect((await login('not an object')).status).toBe(401);
    expect((await fetch(`${base}/auth/dev-login`)).status).toBe(405);

    const res = await login({ username: ' Cashier ', password: 'secret' });
    expect(res.status).toBe(200);
    const { token, role, tenant } = (await res.json()) as { token: string; role: string; tenant: string };
    expect([role, tenant]).toEqual(['cashier', 'demo']);
    expect(await verifyToken(token, publicKey)).toMatchObject({ tenantId: 'demo', userId: 'cashier@demo', roles: ['cashier'], storeIds: null });
  });
});

import { generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken, verifyToken } from '../src/tokens.ts';

describe('caller tokens', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');

  it('round-trips tenant, role, store scope and printer', async () => {
    const token = await mintToken({ tenant: 'demo', role: 'device', stores: ['s1'], printer: 'p1' }, privateKey);
    expect(await verifyToken(token, publicKey)).toMatchObject({ tenantId: 'demo', roles: ['device'], storeIds: ['s1'], printerId: 'p1' });
  });
  it('leaves the store scope open when no store is named', async () => {
    const token = await mintToken({ tenant: 'demo', role: 'manager' }, privateKey);
    expect((await verifyToken(token, publicKey)).storeIds).toBeNull();
  });
  it('refuses a token signed by another key, an expired one, and a device token without printer', async () => {
    await expect(verifyToken(await mintToken({ tenant: 'demo', role: 'owner' }, other.privateKey), publicKey)).rejects.toThrow();
    await expect(verifyToken(await mintToken({ tenant: 'demo', role: 'owner', ttl: -5 }, privateKey), publicKey)).rejects.toThrow();
    await expect(mintToken({ tenant: 'demo', role: 'device' }, privateKey)).rejects.toThrow(/printer/);
  });
  it('refuses unknown roles', async () => {
    await expect(mintToken({ tenant: 'demo', role: 'admin' as never }, privateKey)).rejects.toThrow(/unknown role/);
  });
});

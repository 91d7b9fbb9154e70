import { type Identity, ROLES, type Role } from '@comanda/kit';
import { type CryptoKey, jwtVerify, SignJWT } from 'jose';
import { JWT_ALG, JWT_AUDIENCE, JWT_ISSUER } from './keys.ts';

export interface TokenRequest {
  tenant: string;
  role: Role;
  user?: string;
  /** narrow the token to these stores (default: every store of the tenant) */
  stores?: string[];
  /** device tokens: the one printer they drive */
  printer?: string;
  /** seconds; default 12 hours */
  ttl?: number;
}

export async function mintToken(request: TokenRequest, privateKey: CryptoKey): Promise<string> {
  if (!ROLES.includes(request.role)) throw new Error(`unknown role ${request.role}; one of ${ROLES.join(', ')}`);
  if (request.role === 'device' && !request.printer) throw new Error('a device token needs --printer');
  return new SignJWT({
    tid: request.tenant,
    roles: [request.role],
    ...(request.stores?.length ? { stores: request.stores } : {}),
    ...(request.printer ? { printer: request.printer } : {}),
  })
    .setProtectedHeader({ alg: JWT_ALG })
    .setSubject(request.user ?? `${request.role}@${request.tenant}`)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (request.ttl ?? 12 * 3600))
    .sign(privateKey);
}

/** Verifies a caller's token (signature, issuer, audience, expiry) and reads its identity. */
export async function verifyToken(token: string, publicKey: CryptoKey): Promise<Identity & { expiresAt: number }> {
  const { payload } = await jwtVerify(token, publicKey, { issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithms: [JWT_ALG] });
  const roles = (Array.isArray(payload.roles) ? payload.roles : []).filter((r): r is Role => ROLES.includes(r as Role));
  if (typeof payload.tid !== 'string' || !payload.tid || !payload.sub || roles.length === 0 || !payload.exp) {
    throw new Error('the token lacks a tenant, subject, role or expiry');
  }
  const printerId = typeof payload.printer === 'string' ? payload.printer : null;
  if (roles.includes('device') && !printerId) throw new Error('a device token must name its printer');
  return {
    tenantId: payload.tid,
    userId: payload.sub,
    roles,
    storeIds: Array.isArray(payload.stores) ? payload.stores.map(String) : null,
    printerId,
    expiresAt: payload.exp,
  };
}

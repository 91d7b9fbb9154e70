import { GraphQLError } from 'graphql';
import { jwtVerify, SignJWT } from 'jose';
import { memoizeVerification, type Verified } from './token-memo.ts';

export const ROLES = ['owner', 'manager', 'cashier', 'accountant', 'device', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the gateway vouches for it. Tenant and roles never come from arguments. */
export interface Identity {
  tenantId: string;
  userId: string;
  roles: Role[];
  /** null: every store of the tenant; otherwise only these. */
  storeIds: string[] | null;
  /** device tokens are bound to one printer */
  printerId: string | null;
}

/** The header the gateway sets on every subgraph request. */
export const IDENTITY_HEADER = 'x-comanda-identity';
const ISSUER = 'comanda-gateway';
const AUDIENCE = 'comanda-subgraph';

function keyFrom(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('the internal identity secret must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

/** Short-lived, so a captured header is worth little; one per gateway request. */
export async function signIdentity(identity: Identity, secret: string, ttlSeconds = 60): Promise<string> {
  return new SignJWT({
    tid: identity.tenantId,
    roles: identity.roles,
    stores: identity.storeIds,
    printer: identity.printerId,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyFrom(secret));
}

async function verifyIdentityToken(token: string, secret: string): Promise<Verified<Identity>> {
  const { payload } = await jwtVerify(token, keyFrom(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
  if (typeof payload.tid !== 'string' || !payload.tid || typeof payload.sub !== 'string' || !payload.exp) {
    throw new Error('identity lacks tenant, subject or expiry');
  }
  return {
    // frozen: the same identity object now serves every request that carries this token
    value: Object.freeze({
      tenantId: payload.tid,
      userId: payload.sub,
      roles: Object.freeze(roles) as Role[],
      storeIds: Array.isArray(payload.stores) ? (Object.freeze(payload.stores.map(String)) as string[]) : null,
      printerId: typeof payload.printer === 'string' ? payload.printer : null,
    }),
    expiresAt: payload.exp * 1000,
  };
}

/** Checks the gateway's signature, issuer, audience and expiry; a token checked once is remembered until it expires. */
export const verifyIdentity: (token: string, secret: string) => Promise<Identity> = memoizeVerification(verifyIdentityToken);

export function forbidden(message = 'not allowed'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
}

export function hasRole(identity: Identity, ...roles: Role[]): boolean {
  return identity.roles.some((r) => roles.includes(r));
}

/** Authorization next to the data: resolvers call this before touching anything. */
export function requireRole(identity: Identity, ...roles: Role[]): void {
  if (!hasRole(identity, ...roles)) throw forbidden(`requires one of the roles: ${roles.join(', ')}`);
}

export function canUseStore(identity: Identity, storeId: string): boolean {
  return identity.storeIds === null || identity.storeIds.includes(storeId);
}

export function requireStore(identity: Identity, storeId: string): void {
  if (!canUseStore(identity, storeId)) throw forbidden('this token may not use that store');
}

/** Staff roles that run the shop; devices and partners are narrower. */
export const STAFF: Role[] = ['owner', 'manager', 'cashier', 'accountant'];

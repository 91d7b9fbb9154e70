import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Identity, memoizeVerification } from '@comanda/kit';
import { GraphQLError } from 'graphql';
import type { CryptoKey } from 'jose';
import { verifyToken } from './tokens.ts';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  traceparent: string;
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** W3C trace context: continue the caller's trace, or start one here. */
export function traceparentFrom(header: string | undefined): string {
  if (header && /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(header)) return header;
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** A caller's token is checked once (ES256), then remembered until it expires. */
const verifyCaller = memoizeVerification(async (token: string, publicKey: CryptoKey) => {
  const { expiresAt, ...identity } = await verifyToken(token, publicKey);
  return { value: Object.freeze(identity), expiresAt: expiresAt * 1000 };
});

export async function contextFromRequest(req: IncomingMessage, publicKey: CryptoKey): Promise<GatewayContext> {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Bearer ')) throw unauthenticated('send a token: Authorization: Bearer <token> (npm run token prints one)');
  let identity: Identity;
  try {
    identity = await verifyCaller(auth.slice(7).trim(), publicKey);
  } catch (error) {
    throw unauthenticated(`the token was refused: ${(error as Error).message}`);
  }
  const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : randomUUID();
  return { identity, requestId, traceparent: traceparentFrom(req.headers.traceparent as string | undefined) };
}

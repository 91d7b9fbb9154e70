import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { requestEm } from './db.ts';
import { IDENTITY_HEADER, type Identity, verifyIdentity } from './identity.ts';
import type { LiveHub } from './live.ts';
import { Loaders } from './loaders.ts';
import type { Logger } from './log.ts';

/** What every resolver gets: who calls, a tenant-bound EntityManager, per-request loaders. */
export interface SubgraphContext {
  identity: Identity;
  /** bound to the caller's tenant: RLS filters every statement it sends */
  em: EntityManager;
  loaders: Loaders;
  log: Logger;
  requestId: string;
  traceparent: string | null;
  /** set on subscription contexts: the hub a Subscription field's `subscribe` reads from (live.ts) */
  live?: LiveHub;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Subgraphs trust only the gateway's signed identity; a call without one is refused. */
export async function createContext(req: IncomingMessage, orm: MikroORM, secret: string, log: Logger): Promise<SubgraphContext> {
  const token = header(req, IDENTITY_HEADER);
  if (!token) throw unauthenticated('missing internal identity: call through the gateway');
  let identity: Identity;
  try {
    identity = await verifyIdentity(token, secret);
  } catch {
    throw unauthenticated('invalid internal identity');
  }
  const requestId = header(req, 'x-request-id') ?? randomUUID();
  const traceparent = header(req, 'traceparent');
  return {
    identity,
    em: requestEm(orm, identity.tenantId),
    loaders: new Loaders(),
    log: log.child({ tenant: identity.tenantId, requestId, traceparent }),
    requestId,
    traceparent,
  };
}

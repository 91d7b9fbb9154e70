import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { IDENTITY_HEADER, type Identity, signIdentity } from '@comanda/kit';
import { LRUCache } from 'lru-cache';
import { Agent, fetch } from 'undici';
import type { GatewayContext } from './context.ts';

/** One pooled keep-alive agent for every subgraph call of this gateway. */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 64, pipelining: 1 });
const keepAliveFetch = ((url: string, init: Record<string, unknown>) => fetch(url, { ...init, dispatcher: agent } as never)) as unknown as Fetcher;

const IDENTITY_TTL_SECONDS = 60;
const signed = new LRUCache<string, { token: Promise<string>; renewAt: number }>({ max: 10_000 });

/**
 * One signed identity per caller for half its lifetime rather than one per request: subgraphs
 * then verify each token once (kit token-memo.ts) instead of on every fetch.
 */
function signedIdentity(identity: Identity, secret: string): Promise<string> {
  const key = `${secret}\u0000${JSON.stringify(identity)}`;
  const hit = signed.get(key);
  if (hit && hit.renewAt > Date.now()) return hit.token;
  const token = signIdentity(identity, secret, IDENTITY_TTL_SECONDS);
  signed.set(key, { token, renewAt: Date.now() + IDENTITY_TTL_SECONDS * 500 });
  token.catch(() => signed.delete(key));
  return token;
}

/**
 * Subgraphs trust only what the gateway signs: each request carries a short-lived identity
 * (tenant, user, roles, stores, printer) plus the trace and request ids.
 */
export class IdentityDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #secret: string;

  constructor(url: string, secret: string) {
    super({ url, fetcher: keepAliveFetch });
    this.#secret = secret;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = request.http?.headers;
    if (!headers || !context?.identity) return;
    headers.set(IDENTITY_HEADER, await signedIdentity(context.identity, this.#secret));
    headers.set('x-request-id', context.requestId);
    if (context.traceparent) headers.set('traceparent', context.traceparent);
  }
}

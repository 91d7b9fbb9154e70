import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { IDENTITY_HEADER, signIdentity } from '@comanda/kit';
import { Agent, fetch } from 'undici';
import type { GatewayContext } from './context.ts';

/** One pooled keep-alive agent for every subgraph call of this gateway. */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 64, pipelining: 1 });
const keepAliveFetch = ((url: string, init: Record<string, unknown>) => fetch(url, { ...init, dispatcher: agent } as never)) as unknown as Fetcher;

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
    context.signedIdentity ??= signIdentity(context.identity, this.#secret);
    headers.set(IDENTITY_HEADER, await context.signedIdentity);
    headers.set('x-request-id', context.requestId);
    if (context.traceparent) headers.set('traceparent', context.traceparent);
  }
}

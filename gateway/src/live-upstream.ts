/**
 * The gateway's subscriptions to subgraphs (graphql-ws clients). A subgraph authorizes a
 * subscription by the identity of its connection, so there is one connection per subgraph and
 * identity scope (tenant, roles, stores, printer: what authorization depends on; the user is
 * not part of it), signed afresh on every (re)connect. Identical streams, the same primary
 * operation with the same variables in the same scope, are opened once and shared by every
 * gateway subscriber that needs them. A lost connection is retried for as long as anyone
 * listens; the graphql-ws client then subscribes again by itself, and listeners hear of the gap.
 */
import { type Identity, LIVE_EXTENSION, type LiveMeta, type Logger, signIdentity } from '@comanda/kit';
import type { GraphQLFormattedError } from 'graphql';
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { ExecutionOutcome } from './live-schema.ts';

/** One event of an upstream stream, shared (never mutated) by every listener. */
export interface UpstreamEvent {
  data: Record<string, unknown> | null;
  errors: readonly GraphQLFormattedError[] | undefined;
  meta: LiveMeta;
  /** `rest` results by operation and variables: listeners with the same operation execute it once */
  readonly results: Map<string, Promise<ExecutionOutcome>>;
}

export interface UpstreamListener {
  event(event: UpstreamEvent): void;
  /** the stream ended with these errors (the subgraph refused the subscription, or gave up) */
  fail(errors: readonly GraphQLFormattedError[]): void;
  complete(): void;
  /** the connection was lost and is back: events in between are missing */
  gap(): void;
}

export interface UpstreamOptions {
  /** the internal identity secret shared with the subgraphs */
  secret: string;
  log: Logger;
  /** client pings: a subgraph that stops answering is noticed and reconnected */
  keepAliveMs?: number;
  retry?: { initialMs: number; maxMs: number };
}

interface Stream {
  key: string;
  connection: Connection;
  listeners: Set<UpstreamListener>;
  unsubscribe: () => void;
  ended: boolean;
}

interface Connection {
  key: string;
  client: Client;
  streams: Set<Stream>;
}

/** What a subgraph's authorization depends on, so streams can be shared within it. */
export function scopeOf(identity: Identity): Identity {
  return {
    tenantId: identity.tenantId,
    userId: `live:${identity.tenantId}`,
    roles: [...identity.roles].sort(),
    storeIds: identity.storeIds ? [...identity.storeIds].map((s) => s.toLowerCase()).sort() : null,
    printerId: identity.printerId?.toLowerCase() ?? null,
  };
}

const unavailable = (service: string, why: string): GraphQLFormattedError[] => [
  { message: `the live stream from ${service} ended: ${why}`, extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: service } },
];

function isLiveMeta(value: unknown): value is LiveMeta {
  const meta = value as LiveMeta | undefined;
  return typeof meta?.tenantId === 'string' && typeof meta.eventId === 'string' && typeof meta.time === 'string';
}

export class UpstreamPool {
  readonly #options: UpstreamOptions;
  readonly #connections = new Map<string, Connection>();
  readonly #streams = new Map<string, Stream>();

  constructor(options: UpstreamOptions) {
    this.#options = options;
  }

  /** Open upstream streams (the `graphql_subscription_upstreams` gauge). */
  get size(): number {
    return this.#streams.size;
  }

  /** Listens to a stream, opening it if nobody does yet; returns the way out. */
  join(
    service: { name: string; url: string },
    operation: string,
    variables: Record<string, unknown>,
    identity: Identity,
    listener: UpstreamListener,
  ): () => void {
    const scope = scopeOf(identity);
    const connectionKey = `${service.url}\u0000${JSON.stringify(scope)}`;
    const key = `${connectionKey}\u0000${operation}\u0000${JSON.stringify(variables)}`;
    let stream = this.#streams.get(key);
    if (!stream) {
      const connection = this.#connection(connectionKey, service, scope);
      const opened: Stream = { key, connection, listeners: new Set(), unsubscribe: () => {}, ended: false };
      this.#streams.set(key, opened);
      connection.streams.add(opened);
      opened.unsubscribe = connection.client.subscribe(
        { query: operation, variables },
        {
          next: (result) => this.#next(opened, service.name, result),
          error: (error) => this.#end(opened, (l) => l.fail(this.#errorsOf(service.name, error))),
          complete: () => this.#end(opened, (l) => l.complete()),
        },
      );
      stream = opened;
    }
    const joined = stream;
    joined.listeners.add(listener);
    return () => {
      joined.listeners.delete(listener);
      if (!joined.listeners.size) this.#end(joined, () => {});
    };
  }

  /** Ends every stream (their listeners complete) and closes every connection. */
  close(): void {
    for (const stream of [...this.#streams.values()]) this.#end(stream, (l) => l.complete());
  }

  #connection(key: string, service: { name: string; url: string }, scope: Identity): Connection {
    const existing = this.#connections.get(key);
    if (existing) return existing;
    const { secret, log } = this.#options;
    const retry = this.#options.retry ?? { initialMs: 250, maxMs: 5_000 };
    const connection: Connection = {
      key,
      streams: new Set(),
      client: createClient({
        url: service.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        // signed for each (re)connect: the internal identity is short-lived
        connectionParams: async () => ({ identity: await signIdentity(scope, secret) }),
        keepAlive: this.#options.keepAliveMs ?? 10_000,
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: () => true,
        retryWait: (retries) =>
          new Promise((resolve) => setTimeout(resolve, Math.min(retry.maxMs, retry.initialMs * 2 ** retries) * (0.5 + Math.random() / 2))),
        on: {
          connected: (_socket, _payload, wasRetry) => {
            if (!wasRetry) return;
            log.info({ service: service.name }, 'live: reconnected to the subgraph; subscribers are told of the gap');
            for (const stream of connection.streams) for (const listener of stream.listeners) listener.gap();
          },
          closed: (event) => log.debug({ service: service.name, code: (event as { code?: number }).code }, 'live: subgraph connection closed'),
        },
      }),
    };
    this.#connections.set(key, connection);
    return connection;
  }

  #next(stream: Stream, service: string, result: FormattedExecutionResult<Record<string, unknown>, unknown>): void {
    if (stream.ended) return;
    const meta = (result.extensions as Record<string, unknown> | undefined)?.[LIVE_EXTENSION];
    if (!isLiveMeta(meta)) {
      // not an event: how a subgraph answers a subscription it refuses (then it completes)
      const errors = result.errors?.length ? result.errors : unavailable(service, 'the subgraph sent a result that is not an event');
      this.#end(stream, (l) => l.fail(errors));
      return;
    }
    const event: UpstreamEvent = {
      data: (result.data as Record<string, unknown> | null | undefined) ?? null,
      errors: result.errors,
      meta,
      results: new Map(),
    };
    for (const listener of stream.listeners) listener.event(event);
  }

  #end(stream: Stream, tell: (listener: UpstreamListener) => void): void {
    if (stream.ended) return;
    stream.ended = true;
    this.#streams.delete(stream.key);
    stream.unsubscribe();
    const { connection } = stream;
    connection.streams.delete(stream);
    if (!connection.streams.size) {
      this.#connections.delete(connection.key);
      void connection.client.dispose();
    }
    for (const listener of [...stream.listeners]) tell(listener);
    stream.listeners.clear();
  }

  #errorsOf(service: string, error: unknown): readonly GraphQLFormattedError[] {
    if (Array.isArray(error) && error.every((e) => typeof e?.message === 'string')) return error as GraphQLFormattedError[];
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'number') return unavailable(service, `connection closed (${code} ${(error as { reason?: string }).reason ?? ''})`.trim());
    this.#options.log.warn({ err: error, service }, 'live: upstream stream failed');
    return unavailable(service, 'the subgraph could not be reached');
  }
}

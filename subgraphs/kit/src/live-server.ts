/**
 * graphql-ws on a subgraph's own HTTP server (path /graphql), for the gateway only: the
 * connection must carry the gateway's signed internal identity in `connectionParams.identity`,
 * and every subscription runs as that identity. Each event is executed with a fresh context
 * (its own EntityManager and DataLoaders, so nothing is cached from one event to the next),
 * and its result carries the event's scope in `extensions.live` for the gateway's own checks.
 */
import type { Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ExecutionResult, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SubgraphContext } from './context.ts';
import { tenantEm } from './db.ts';
import { apolloGraphql } from './graphql-realm.ts';
import { type Identity, verifyIdentity } from './identity.ts';
import type { LiveDelivery, LiveHub } from './live.ts';
import { mapLive } from './live-queue.ts';
import { Loaders } from './loaders.ts';
import type { Logger } from './log.ts';

/** The key of the per-event metadata in a subgraph's subscription results. */
export const LIVE_EXTENSION = 'live';

/** Scope and accounting of one event, as the gateway reads it from `extensions.live`. */
export interface LiveMeta {
  tenantId: string;
  storeId: string | null;
  eventId: string;
  time: string;
  traceparent: string | null;
  /** messages the subgraph dropped for this subscription before this one (its buffer overflowed) */
  dropped: number;
}

/** Close codes a subgraph uses on a subscription connection. */
export const SUBGRAPH_CLOSE = { UNAUTHORIZED: 4401 } as const;

export interface SubscriptionServerOptions {
  server: Server;
  schema: GraphQLSchema;
  orm: MikroORM;
  secret: string;
  hub: LiveHub;
  log: Logger;
  registry: Registry;
  /** formats every error the way HTTP responses do (kit's maskErrors) */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  keepAliveMs?: number;
}

export interface SubscriptionServer {
  /** counts an event the feed routed */
  countEvent: () => void;
  /** closes every connection (1001) and stops accepting new ones */
  close: () => Promise<void>;
}

const { createSourceEventStream, execute } = apolloGraphql;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema, orm, secret, hub, log, formatError } = options;
  new Gauge({
    name: 'live_subscribers',
    help: 'subscriptions this instance serves, per Subscription field',
    labelNames: ['field'],
    registers: [options.registry],
    collect() {
      this.reset();
      for (const [field, count] of hub.subscribers()) this.set({ field }, count);
    },
  });
  const events = new Counter({ name: 'live_events_total', help: 'events the live feed routed to the hub', registers: [options.registry] });

  const identities = new WeakMap<Context, Identity>();
  const contextFor = (identity: Identity, requestId: string, traceparent: string | null): SubgraphContext => ({
    identity,
    em: tenantEm(orm, identity.tenantId),
    loaders: new Loaders(),
    log: log.child({ tenant: identity.tenantId, requestId, traceparent }),
    requestId,
    traceparent,
    live: hub,
  });
  const format = (result: ExecutionResult) =>
    result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined;

  const wss = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: 1024 * 1024 });
  const served = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const socket = (ctx.extra as { socket: WebSocket }).socket;
        const token = ctx.connectionParams?.identity;
        try {
          if (typeof token !== 'string') throw new Error('missing');
          identities.set(ctx, await verifyIdentity(token, secret));
          return true;
        } catch {
          socket.close(SUBGRAPH_CLOSE.UNAUTHORIZED, 'a valid internal identity is required: subscribe through the gateway');
          return false;
        }
      },
      context: (ctx, id) => contextFor(identities.get(ctx) as Identity, `live-${id}`, null),
      subscribe: async (args) => {
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        const { identity } = args.contextValue as SubgraphContext;
        return mapLive((stream as AsyncIterable<LiveDelivery>)[Symbol.asyncIterator](), async ({ value: message, dropped }) => {
          const result = await execute({ ...args, rootValue: message, contextValue: contextFor(identity, message.eventId, message.traceparent) });
          const meta: LiveMeta = {
            tenantId: message.tenantId,
            storeId: message.storeId,
            eventId: message.eventId,
            time: message.time,
            traceparent: message.traceparent,
            dropped,
          };
          return { ...result, extensions: { ...result.extensions, [LIVE_EXTENSION]: meta } };
        });
      },
      onNext: (_ctx, _id, _payload, _args, result) => format(result as ExecutionResult),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );
  return {
    countEvent: () => events.inc(),
    close: async () => {
      await served.dispose();
    },
  };
}

import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { EventTransport } from '@comanda/kafka';
import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { type DocumentNode, GraphQLError, type GraphQLFormattedError, parse } from 'graphql';
import { startConsumers } from './consumer.ts';
import { createContext, type SubgraphContext } from './context.ts';
import { appDatabaseUrl, type Entities, migrate, openOrm } from './db.ts';
import { DomainError } from './errors.ts';
import type { EventHandler } from './events.ts';
import { closeServer, createHttpServer, listen } from './http.ts';
import { type LiveFeed, LiveHub, startLiveFeed } from './live.ts';
import { serveSubscriptions } from './live-server.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import { scalarResolvers } from './scalars.ts';
import { countingEnabled, countRequest, statementsOf } from './sql-count.ts';
import { runInTenantScope } from './tenant-scope.ts';
import { transportFromEnv } from './transport.ts';

export type Resolvers = GraphQLResolverMap<SubgraphContext>;

/** Everything that makes a subgraph: its schema file, thin resolvers, entities, migrations. */
export interface SubgraphModule {
  name: string;
  /** default port (DESIGN.md); tests pass 0 */
  port: number;
  typeDefs: DocumentNode;
  resolvers: Resolvers;
  entities: Entities;
  migrations: MigrationObject[];
  /** reactions to other subgraphs' events (delivered at least once, applied once) */
  consumes?: EventHandler[];
  /** background work started with the server (pollers, timers); returns its stopper */
  background?: (runtime: SubgraphRuntime) => Promise<() => Promise<void>>;
  /**
   * Plain HTTP routes beside /graphql, e.g. a provider's webhooks (POST /webhooks/...). They get
   * the raw request (for signatures over the raw body) and the ORM; no internal identity is
   * checked for them, so each route authenticates its caller itself. Return true when handled.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, orm: MikroORM) => Promise<boolean> | boolean;
  /**
   * What feeds the subgraph's Subscription fields: the topics to read and how an event becomes
   * messages on the live hub (live.ts). With it, the subgraph serves graphql-ws on /graphql for
   * the gateway (docs/subscriptions.md).
   */
  live?: LiveFeed;
}

export interface SubgraphRuntime {
  module: SubgraphModule;
  orm: MikroORM;
  log: Logger;
  metrics: ServiceMetrics;
  server: Server;
  url: string;
  port: number;
  stop: () => Promise<void>;
}

const COMMON_SDL = readFileSync(new URL('./common.graphql', import.meta.url), 'utf8');

/** The subgraph's schema.graphql after the shared part (federation link, scalars, Money, ...). */
export function loadTypeDefs(schemaFile: URL): DocumentNode {
  return parse(`${COMMON_SDL}\n${readFileSync(schemaFile, 'utf8')}`);
}

export function subgraphSdl(schemaFile: URL): string {
  return `${COMMON_SDL}\n${readFileSync(schemaFile, 'utf8')}`;
}

/** Error codes a client may see as they are; anything else is a bug and is masked. */
const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function maskErrors(log: Logger, metrics?: ServiceMetrics) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as GraphQLError | undefined)?.originalError ?? error;
    if (original instanceof DomainError) {
      const first = original.errors[0];
      metrics?.errors.inc({ code: 'BAD_USER_INPUT' });
      return { ...formatted, message: original.message, extensions: { code: 'BAD_USER_INPUT', reason: first?.code } };
    }
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    metrics?.errors.inc({ code });
    if (PUBLIC_CODES.has(code)) {
      const { stacktrace: _drop, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function observe(metrics: ServiceMetrics, log: Logger): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, errors, contextValue }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = request.operationName ?? 'anonymous';
          metrics.requestDuration.observe({ operation, outcome: errors?.length ? 'error' : 'ok' }, seconds);
          contextValue?.log?.debug({ operation, ms: Math.round(seconds * 1000) }, 'request');
          if (!contextValue) log.debug({ operation }, 'request without context');
        },
      };
    },
  };
}

export interface StartOptions {
  /** the cluster admin URL; the runtime itself connects as the subgraph's own role */
  databaseUrl: string;
  identitySecret: string;
  port?: number;
  host?: string;
  /** skip migrations (they were applied by the caller) */
  migrated?: boolean;
  /** where the subgraph's reactions read events; by default one from the environment (transportFromEnv) */
  transport?: EventTransport;
}

export async function startSubgraph(module: SubgraphModule, options: StartOptions): Promise<SubgraphRuntime> {
  const log = createLogger(module.name);
  const metrics = createMetrics(module.name);
  if (!options.migrated) await migrate(module.name, module.migrations, options.databaseUrl);
  const orm = await openOrm(module.name, module.entities, appDatabaseUrl(options.databaseUrl, module.name));

  const schema = buildSubgraphSchema([{ typeDefs: module.typeDefs, resolvers: { ...scalarResolvers, ...module.resolvers } as Resolvers }]);
  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError: maskErrors(log, metrics),
    plugins: [observe(metrics, log), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();

  const server = createHttpServer<SubgraphContext>({
    apollo,
    context: (req) => createContext(req, orm, options.identitySecret, log),
    metrics: metrics.registry,
    ready: async () => orm.isConnected(),
    wrap: (req, run) => runInTenantScope(() => countRequest(req.headers['x-request-id'] as string | undefined, run)),
    routes: async (req, res) => {
      if (module.routes && (await module.routes(req, res, orm))) return true;
      if (!countingEnabled() || !req.url?.startsWith('/debug/sql')) return false;
      const requestId = new URL(req.url, 'http://localhost').searchParams.get('requestId') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requestId, statements: statementsOf(requestId) ?? null }));
      return true;
    },
  });
  const port = await listen(server, options.port ?? module.port, options.host);
  const url = `http://127.0.0.1:${port}/graphql`;

  const runtime: SubgraphRuntime = { module, orm, log, metrics, server, url, port, stop: async () => {} };
  const readsEvents = Boolean(module.consumes?.length || module.live);
  const ownTransport = readsEvents && !options.transport ? transportFromEnv(options.databaseUrl, log) : null;
  const transport = options.transport ?? ownTransport;
  const stopConsumers =
    module.consumes?.length && transport
      ? await startConsumers({ subgraph: module.name, handlers: module.consumes, orm, transport, log })
      : async () => {};
  const hub = module.live ? new LiveHub() : null;
  const subscriptions = hub
    ? serveSubscriptions({
        server,
        schema,
        orm,
        secret: options.identitySecret,
        hub,
        log,
        registry: metrics.registry,
        formatError: maskErrors(log, metrics),
      })
    : null;
  const stopLive =
    module.live && hub && transport
      ? await startLiveFeed({
          subgraph: module.name,
          feed: module.live,
          hub,
          transport,
          log,
          databaseUrl: options.databaseUrl,
          onEvent: subscriptions?.countEvent,
        })
      : async () => {};
  const stopBackground = module.background ? await module.background(runtime) : async () => {};
  runtime.stop = async () => {
    await stopBackground();
    await subscriptions?.close();
    hub?.close();
    await stopLive();
    await stopConsumers();
    await ownTransport?.close();
    await closeServer(server);
    await apollo.stop();
    await orm.close();
  };
  log.info({ url }, 'subgraph ready');
  return runtime;
}

/** For a subgraph's own main.ts: start from the environment and stop cleanly on SIGTERM. */
export async function runStandalone(module: SubgraphModule): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const identitySecret = process.env.COMANDA_INTERNAL_SECRET;
  if (!databaseUrl || !identitySecret) {
    console.error('DATABASE_URL and COMANDA_INTERNAL_SECRET must be set (npm start sets both for you)');
    process.exit(2);
  }
  const runtime = await startSubgraph(module, {
    databaseUrl,
    identitySecret,
    port: Number(process.env.PORT ?? module.port),
    host: process.env.HOST ?? '127.0.0.1',
  });
  const shutdown = async (signal: string) => {
    runtime.log.info({ signal }, 'shutting down');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

export { GraphQLError };

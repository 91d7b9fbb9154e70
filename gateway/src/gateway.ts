import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { closeServer, createHttpServer, createLogger, createMetrics, type Logger, listen, maskErrors } from '@comanda/kit';
import { contextFromRequest, type GatewayContext } from './context.ts';
import { IdentityDataSource } from './datasource.ts';
import { type DevLoginOptions, devLoginRoute } from './dev-login.ts';
import { type Keys, loadKeys } from './keys.ts';
import { DEFAULT_LIMITS, type QueryLimits, queryLimitsRule } from './limits.ts';
import { LiveGateway, type LiveLimits, type LiveService, subscriptionsOverWebSocketRule } from './live.ts';
import { posRoute } from './pos-static.ts';

export const SUPERGRAPH_PATH = new URL('../../schema/supergraph.graphql', import.meta.url);

export interface GatewayOptions {
  port?: number;
  host?: string;
  supergraphSdl?: string;
  /** subgraph name -> URL, overriding the URLs composed into the supergraph */
  subgraphUrls?: Record<string, string>;
  keys?: Keys;
  limits?: QueryLimits;
  /** subscription limits (docs/subscriptions.md) */
  live?: Partial<LiveLimits>;
  /** POST /auth/dev-login for development sign-in (needs keys.privateKey); off when left out */
  devLogin?: DevLoginOptions;
}

export interface GatewayRuntime {
  url: string;
  port: number;
  server: Server;
  log: Logger;
  live: LiveGateway;
  /** serve another supergraph from now on; subscription connections are closed (4205) */
  updateSupergraph: (sdl: string) => void;
  /** drains subscriptions (1001), then stops */
  stop: () => Promise<void>;
}

function urlOverride(name: string, options: GatewayOptions): string | undefined {
  return options.subgraphUrls?.[name] ?? process.env[`COMANDA_${name.toUpperCase()}_URL`];
}

/** The POS at /pos, and the development sign-in when asked for. */
function routesFor(options: GatewayOptions, keys: Keys) {
  const pos = posRoute();
  const devLogin = options.devLogin && keys.privateKey ? devLoginRoute(options.devLogin, keys.privateKey) : null;
  return async (req: IncomingMessage, res: ServerResponse) => pos(req, res) || (devLogin ? await devLogin(req, res) : false);
}

export async function startGateway(options: GatewayOptions = {}): Promise<GatewayRuntime> {
  const log = createLogger('gateway');
  const metrics = createMetrics('gateway');
  const keys = options.keys ?? (await loadKeys());
  const initialSdl = options.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8');
  let update: ((sdl: string) => void) | null = null;
  // subscriptions reach the same services as queries, by URL
  const services = new Map<string, LiveService>();
  const gateway = new ApolloGateway({
    supergraphSdl: {
      initialize: async (hooks) => {
        update = hooks.update;
        return { supergraphSdl: initialSdl };
      },
    },
    buildService: ({ name, url }) => {
      const resolved = urlOverride(name, options) ?? url ?? '';
      const dataSource = new IdentityDataSource(resolved, keys.internalSecret);
      services.set(name, { url: resolved, dataSource });
      return dataSource;
    },
  });
  const live = new LiveGateway({
    publicKey: keys.publicKey,
    secret: keys.internalSecret,
    log,
    metrics,
    services: () => services,
    limits: options.live,
    queryLimits: options.limits ?? DEFAULT_LIMITS,
  });
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => live.useSupergraph(coreSupergraphSdl));
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: [queryLimitsRule(options.limits ?? DEFAULT_LIMITS), subscriptionsOverWebSocketRule],
    includeStacktraceInErrorResponses: false,
    formatError: maskErrors(log, metrics),
  });
  await apollo.start();
  const server = createHttpServer<GatewayContext>({
    apollo,
    context: (req) => contextFromRequest(req, keys.publicKey),
    metrics: metrics.registry,
    ready: async () => true,
    routes: routesFor(options, keys),
  });
  live.attach(server);
  const port = await listen(server, options.port ?? 4000, options.host);
  const url = `http://127.0.0.1:${port}/graphql`;
  log.info({ url }, 'gateway ready');
  return {
    url,
    port,
    server,
    log,
    live,
    updateSupergraph: (sdl) => {
      if (!update) throw new Error('the gateway has not loaded its supergraph yet');
      update(sdl);
    },
    stop: async () => {
      await live.drain();
      await closeServer(server);
      await apollo.stop();
    },
  };
}

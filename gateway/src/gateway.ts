import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { closeServer, createHttpServer, createLogger, createMetrics, type Logger, listen, maskErrors } from '@comanda/kit';
import { contextFromRequest, type GatewayContext } from './context.ts';
import { IdentityDataSource } from './datasource.ts';
import { type Keys, loadKeys } from './keys.ts';
import { DEFAULT_LIMITS, type QueryLimits, queryLimitsRule } from './limits.ts';

export const SUPERGRAPH_PATH = new URL('../../schema/supergraph.graphql', import.meta.url);

export interface GatewayOptions {
  port?: number;
  host?: string;
  supergraphSdl?: string;
  /** subgraph name -> URL, overriding the URLs composed into the supergraph */
  subgraphUrls?: Record<string, string>;
  keys?: Keys;
  limits?: QueryLimits;
}

export interface GatewayRuntime {
  url: string;
  port: number;
  server: Server;
  log: Logger;
  stop: () => Promise<void>;
}

function urlOverride(name: string, options: GatewayOptions): string | undefined {
  return options.subgraphUrls?.[name] ?? process.env[`COMANDA_${name.toUpperCase()}_URL`];
}

export async function startGateway(options: GatewayOptions = {}): Promise<GatewayRuntime> {
  const log = createLogger('gateway');
  const metrics = createMetrics('gateway');
  const keys = options.keys ?? (await loadKeys());
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) => new IdentityDataSource(urlOverride(name, options) ?? url ?? '', keys.internalSecret),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: [queryLimitsRule(options.limits ?? DEFAULT_LIMITS)],
    includeStacktraceInErrorResponses: false,
    formatError: maskErrors(log, metrics),
  });
  await apollo.start();
  const server = createHttpServer<GatewayContext>({
    apollo,
    context: (req) => contextFromRequest(req, keys.publicKey),
    metrics: metrics.registry,
    ready: async () => true,
  });
  const port = await listen(server, options.port ?? 4000, options.host);
  const url = `http://127.0.0.1:${port}/graphql`;
  log.info({ url }, 'gateway ready');
  return {
    url,
    port,
    server,
    log,
    stop: async () => {
      await closeServer(server);
      await apollo.stop();
    },
  };
}

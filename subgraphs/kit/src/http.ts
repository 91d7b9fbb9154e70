import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { Registry } from 'prom-client';

const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage) => Promise<TContext>;
  metrics: Registry;
  /** /readyz: true when the service can do its work (database reachable, ...) */
  ready: () => Promise<boolean>;
  /** extra routes (e.g. the POS, webhooks); return true when handled */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;
  graphqlPath?: string;
  /** runs around each GraphQL request (e.g. to count its SQL statements) */
  wrap?: <T>(req: IncomingMessage, run: () => Promise<T>) => Promise<T>;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

/**
 * A plain node:http server around Apollo Server: /graphql, /healthz, /readyz, /metrics.
 * Apollo's own integration point (executeHTTPGraphQLRequest) keeps us off a web framework.
 */
export function createHttpServer<TContext extends BaseContext>(options: HttpOptions<TContext>): Server {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/healthz') return send(res, 200, '{"status":"ok"}');
      if (url.pathname === '/readyz') {
        const ok = await options.ready().catch(() => false);
        return send(res, ok ? 200 : 503, JSON.stringify({ status: ok ? 'ready' : 'not ready' }));
      }
      if (url.pathname === '/metrics') return send(res, 200, await options.metrics.metrics(), options.metrics.contentType);
      if (options.routes && (await options.routes(req, res))) return;
      if (url.pathname !== graphqlPath) return send(res, 404, '{"error":"not found"}');

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown;
      if (req.method === 'POST') {
        const text = await readBody(req);
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          return send(res, 400, JSON.stringify({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }));
        }
      }
      const execute = () =>
        options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
          context: () => options.context(req),
        });
      const result = options.wrap ? await options.wrap(req, execute) : await execute();
      for (const [key, value] of result.headers) res.setHeader(key, value);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return send(res, 413, '{"errors":[{"message":"request body too large","extensions":{"code":"BAD_REQUEST"}}]}');
      if (!res.headersSent) send(res, 500, '{"errors":[{"message":"internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}');
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}

/**
 * The gateway, as the daemon sees it: queries and mutations over HTTP (fetch), the print queue
 * over graphql-ws, reconnecting for as long as the daemon runs. docs/subscriptions.md: subscribe,
 * then catch up, and again after every reconnect.
 */
import { type Client, createClient } from 'graphql-ws/client';
import WebSocket from 'ws';
import { backoffDelay, sleep } from './backoff.ts';
import type { Logger } from './log.ts';

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: readonly GraphQLError[];
  extensions?: { live?: { dropped?: number; gap?: boolean }; [key: string]: unknown };
}

/** The gateway could not be asked (down, timed out, not GraphQL): try again later. */
export class GatewayUnavailable extends Error {}

/** The gateway answered with errors. */
export class GatewayError extends Error {
  readonly codes: string[];
  constructor(errors: readonly GraphQLError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.codes = errors.map((e) => e.extensions?.code ?? 'UNKNOWN');
  }
}

/** This token may not use this printer: nothing the daemon can fix by trying again. */
export const isForbidden = (errors: readonly GraphQLError[] | undefined): boolean => !!errors?.some((e) => e.extensions?.code === 'FORBIDDEN');

export interface GatewayOptions {
  /** http(s)://host:4000/graphql; the WebSocket URL is the same with ws(s) */
  url: string;
  /** read before every request and connection, so a rotated token file is picked up */
  token: () => string | Promise<string>;
  log: Logger;
  timeoutMs?: number;
}

export const websocketUrl = (url: string): string => url.replace(/^http/, 'ws');

/** One request over HTTP: the whole result (data and errors); throws only when there is no GraphQL answer. */
export async function request<T>(options: GatewayOptions, query: string, variables: Record<string, unknown>): Promise<GraphQLResult<T>> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await options.token()}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    throw new GatewayUnavailable(`${options.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  try {
    const body = (await response.json()) as GraphQLResult<T>;
    if (body.data === undefined && !body.errors?.length) throw new Error('empty');
    return body;
  } catch {
    throw new GatewayUnavailable(`${options.url}: HTTP ${response.status} without a GraphQL answer`);
  }
}

/** The data of a request that must succeed as a whole. */
export async function requestData<T>(options: GatewayOptions, query: string, variables: Record<string, unknown>): Promise<T> {
  const result = await request<T>(options, query, variables);
  if (result.errors?.length) throw new GatewayError(result.errors);
  if (!result.data) throw new GatewayUnavailable(`${options.url}: an answer without data`);
  return result.data;
}

export interface LiveSink<T> {
  next: (result: GraphQLResult<T>) => void;
  /** the subscription ended (a refusal, an error message, or `complete`); null: completed without errors */
  ended: (errors: readonly GraphQLError[] | null, cause?: unknown) => void;
}

export interface Live {
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: LiveSink<T>): () => void;
  close(): Promise<void>;
}

/**
 * A graphql-ws connection kept up forever: backoff with jitter between attempts, a ping every
 * 10 s and the socket dropped when its pong does not come (a gateway gone without closing),
 * subscriptions resumed by graphql-ws after each reconnect. `connected` runs after every
 * (re)connection, the first included: the daemon catches up there.
 */
export function connectLive(options: GatewayOptions, connected: (wasRetry: boolean) => void): Live {
  const log = options.log;
  let pongTimer: NodeJS.Timeout | undefined;
  let socket: WebSocket | null = null;
  let closed = false;
  const closing = new AbortController();
  const client: Client = createClient({
    url: websocketUrl(options.url),
    webSocketImpl: WebSocket,
    lazy: false,
    connectionParams: async () => ({ authorization: `Bearer ${await options.token()}` }),
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = backoffDelay(retries, 500, 30_000);
      if (!closed) log.info('reconnecting to the gateway', { inMs: ms, attempt: retries + 1 });
      await sleep(ms, closing.signal);
    },
    keepAlive: 10_000,
    on: {
      connected: (s, _payload, wasRetry) => {
        socket = s as WebSocket;
        if (closed) return;
        log.info('connected to the gateway', { wasRetry });
        connected(wasRetry);
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        socket = null;
        if (closed) return;
        const { code, reason } = event as { code?: number; reason?: string };
        log.warn('gateway connection closed', { code, reason: reason || undefined });
      },
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'no pong');
        }, 5_000);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
    onNonLazyError: (error) => log.error('gateway connection failed for good', { error: String(error) }),
  });
  return {
    subscribe<T>(query: string, variables: Record<string, unknown>, sink: LiveSink<T>) {
      return client.subscribe<T>(
        { query, variables },
        {
          next: (result) => sink.next(result as GraphQLResult<T>),
          error: (error) =>
            sink.ended(Array.isArray(error) ? (error as GraphQLError[]) : [{ message: String((error as Error)?.message ?? error) }], error),
          complete: () => sink.ended(null),
        },
      );
    },
    /**
     * graphql-ws' dispose waits for a connection being made (and rejects when it fails), so a
     * daemon stopping while the gateway is away would wait out a backoff: end the wait, cut
     * the attempt short, and give a clean close a second at most.
     */
    async close() {
      closed = true;
      clearTimeout(pongTimer);
      closing.abort();
      const disposed = Promise.resolve(client.dispose()).catch(() => {});
      if (socket?.readyState !== WebSocket.OPEN) client.terminate();
      await Promise.race([disposed, sleep(1000)]);
    },
  };
}

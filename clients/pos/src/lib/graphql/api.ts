/**
 * The POS's one way to the supergraph: urql for queries and mutations over HTTP, graphql-ws
 * for subscriptions, both on the page's own origin (/graphql). Failures are sorted into the
 * three kinds the screens and the offline queue treat differently.
 */
import { Client, type CombinedError, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type SubscribePayload, type Client as WsClient } from 'graphql-ws';

/** no answer from the server: the request may be retried as it is */
export class OfflineError extends Error {}
/** the token was refused (expired, revoked): sign in again */
export class AuthError extends Error {}
/** the server answered with GraphQL errors (FORBIDDEN, validation, a bug) */
export class ApiError extends Error {
  readonly codes: string[];
  constructor(message: string, codes: string[]) {
    super(message);
    this.codes = codes;
  }
}

export interface UserError {
  field?: string[] | null;
  message: string;
  code: string;
}

export interface ConnectionEvent {
  connected: boolean;
  retry: boolean;
}

export interface SubscriptionSink<T> {
  next: (data: T, extensions?: Record<string, unknown>) => void;
  error?: (error: Error) => void;
}

export interface Api {
  query<T>(document: string, variables?: Record<string, unknown>): Promise<T>;
  mutate<T>(document: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe<T>(document: string, variables: Record<string, unknown>, sink: SubscriptionSink<T>): () => void;
  /**
   * the live connection opened (retry: it came back after a drop, events in between are missed:
   * read again) or closed
   */
  onConnection(listener: (event: ConnectionEvent) => void): () => void;
  /** whether the live connection is open now */
  connected(): boolean;
  close(): void;
}

export interface ApiOptions {
  /** http(s)://host/graphql; the page's own origin by default */
  url?: string;
  token: () => string | null;
  onUnauthenticated?: () => void;
  /** navigator.onLine by default */
  online?: () => boolean;
  /** an HTTP request without an answer by then counts as offline (default 15 s) */
  timeoutMs?: number;
}

function sameOriginUrl(): string {
  return new URL('/graphql', location.href).href;
}

function classify(error: CombinedError, onUnauthenticated?: () => void): Error {
  const codes = error.graphQLErrors.map((e) => String(e.extensions?.code ?? ''));
  if (codes.includes('UNAUTHENTICATED') || error.response?.status === 401) {
    onUnauthenticated?.();
    return new AuthError(error.graphQLErrors[0]?.message ?? 'sign in again');
  }
  if (error.networkError || !error.graphQLErrors.length) return new OfflineError(error.networkError?.message ?? error.message);
  return new ApiError(error.graphQLErrors.map((e) => e.message).join('; '), codes);
}

export function createApi(options: ApiOptions): Api {
  const url = options.url ?? sameOriginUrl();
  const online = options.online ?? (() => navigator.onLine);
  const connectionListeners = new Set<(event: ConnectionEvent) => void>();
  let open = false;
  const tell = (event: ConnectionEvent) => {
    open = event.connected;
    for (const listener of connectionListeners) listener(event);
  };
  let ws: WsClient | null = null;
  const websocket = (): WsClient => {
    ws ??= createWsClient({
      url: url.replace(/^http/, 'ws'),
      lazy: true,
      connectionParams: () => ({ authorization: `Bearer ${options.token() ?? ''}` }),
      // a till runs all day: keep trying, at most every 10 s
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
      on: {
        connected: (_socket, _payload, wasRetry) => tell({ connected: true, retry: wasRetry }),
        closed: (event) => {
          const code = (event as { code?: number } | undefined)?.code;
          if (code === 4403 || code === 4401) options.onUnauthenticated?.();
          tell({ connected: false, retry: false });
        },
      },
    });
    return ws;
  };
  const client = new Client({
    url,
    requestPolicy: 'network-only',
    preferGetMethod: false,
    // a network that is up but goes nowhere must not hold a sale for minutes: it waits in the queue
    fetch: (input, init) => {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    },
    fetchOptions: (): RequestInit => {
      const token = options.token();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return { headers };
    },
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: websocket().subscribe(request as SubscribePayload, sink) }),
        }),
      }),
    ],
  });

  async function run<T>(kind: 'query' | 'mutation', document: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (!online()) throw new OfflineError('offline');
    const result = kind === 'query' ? await client.query(document, variables).toPromise() : await client.mutation(document, variables).toPromise();
    if (result.error) throw classify(result.error, options.onUnauthenticated);
    return result.data as T;
  }

  return {
    query: (document, variables) => run('query', document, variables),
    mutate: (document, variables) => run('mutation', document, variables),
    subscribe<T>(document: string, variables: Record<string, unknown>, sink: SubscriptionSink<T>) {
      const { unsubscribe } = client.subscription(document, variables).subscribe((result) => {
        if (result.data) sink.next(result.data as T, result.extensions as Record<string, unknown> | undefined);
        else if (result.error) sink.error?.(classify(result.error, options.onUnauthenticated));
      });
      return unsubscribe;
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    connected: () => open,
    close() {
      void ws?.dispose();
      ws = null;
    },
  };
}

/**
 * Subscriptions at the gateway (DESIGN.md, Subscriptions; docs/subscriptions.md): graphql-ws on
 * the gateway's own HTTP server, path /graphql.
 *
 * A connection authenticates once, in connection_init, with the same JWT as HTTP. Each
 * subscription is validated against the API schema and planned over the supergraph; its
 * primary comes from the owning subgraph's event stream (shared by identical subscriptions,
 * live-upstream.ts), and each event's `rest` runs through the gateway's executor
 * (live-schema.ts). Between the two sits one bounded queue per subscriber: a subscriber that
 * reads slowly loses the oldest events and is told how many (`extensions.live.dropped`), or,
 * for coalesced fields, gets the newest value at most about once a second. Per event the
 * token's expiry and the event's tenant and store are checked again.
 */
import type { Server } from 'node:http';
import type { GraphQLDataSource } from '@apollo/gateway';
import { apolloGraphql, type Identity, inScope, type LiveMeta, LiveQueue, type Logger, maskErrors, type ServiceMetrics } from '@comanda/kit';
import type {
  ASTVisitor,
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  GraphQLFormattedError,
  ValidationContext,
} from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { CryptoKey } from 'jose';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type WebSocket, WebSocketServer } from 'ws';
import { type GatewayContext, traceparentFrom } from './context.ts';
import { DEFAULT_LIMITS, type QueryLimits, queryLimitsRule } from './limits.ts';
import { type LivePlan, LiveSchema } from './live-schema.ts';
import { type UpstreamEvent, type UpstreamListener, UpstreamPool } from './live-upstream.ts';
import { verifyToken } from './tokens.ts';

// the schema is Apollo's and graphql-ws checks errors with its graphql: both are apolloGraphql's
const { GraphQLError, getOperationAST, getVariableValues, parse, specifiedRules, validate } = apolloGraphql;
type GraphQLError = InstanceType<typeof GraphQLError>;

/** How the gateway closes a subscription connection (docs/subscriptions.md explains each). */
export const LIVE_CLOSE = {
  /** connection_init carried no token: fix the client (graphql-ws clients do not retry it) */
  UNAUTHORIZED: 4401,
  /** the token does not verify, or it expired while connected: reconnect with a fresh one */
  FORBIDDEN: 4403,
  /** the supergraph changed: reconnect and subscribe again (graphql-ws clients retry by themselves) */
  SUPERGRAPH_CHANGED: 4205,
  /** the gateway is shutting down: reconnect (to another instance) */
  GOING_AWAY: 1001,
  /** this instance holds as many connections as it takes: retry later */
  TRY_AGAIN_LATER: 1013,
} as const;

export interface LiveLimits {
  /** connections per gateway instance */
  maxConnections: number;
  maxSubscriptionsPerConnection: number;
  /** subscriptions per gateway instance */
  maxSubscriptions: number;
  /** events a subscriber may fall behind before the oldest are dropped */
  bufferSize: number;
  /** Subscription fields delivered coalesced: the newest value, at most once per this many ms */
  coalesceMs: Readonly<Record<string, number>>;
  /** WebSocket pings; a connection that does not answer one within as long is dropped */
  keepAliveMs: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  maxConnections: 10_000,
  maxSubscriptionsPerConnection: 25,
  maxSubscriptions: 50_000,
  bufferSize: 100,
  coalesceMs: { storeMetricsChanged: 1000 },
  keepAliveMs: 15_000,
};

/** A data source of the gateway's service list, with the URL its subscriptions go to. */
export interface LiveService {
  url: string;
  dataSource: GraphQLDataSource;
}

export interface LiveGatewayOptions {
  publicKey: CryptoKey;
  /** the internal identity secret (subgraphs trust what it signs) */
  secret: string;
  log: Logger;
  metrics: ServiceMetrics;
  /** the gateway's current services, by subgraph name */
  services: () => ReadonlyMap<string, LiveService>;
  limits?: Partial<LiveLimits>;
  queryLimits?: QueryLimits;
}

interface Connection {
  socket: WebSocket;
  identity: Identity;
  /** ms since the epoch */
  expiresAt: number;
  subscriptions: number;
  expiry: NodeJS.Timeout;
}

interface Failure {
  failed: readonly GraphQLFormattedError[];
}
const GAP = Symbol('gap');
type Item = UpstreamEvent | Failure | typeof GAP;

/** What onSubscribe hands to `subscribe` through graphql-ws' execution arguments. */
interface Setup {
  connection: Connection;
  schema: LiveSchema;
  plan: LivePlan;
  request: { query: string; operationName?: string; variables: Record<string, unknown> };
  release: () => void;
}

const DONE = { value: undefined, done: true } as const;
const MAX_TIMER_MS = 2 ** 31 - 1;

function refusal(message: string, code: string, extensions: Record<string, unknown> = {}): GraphQLError[] {
  return [new GraphQLError(message, { extensions: { code, ...extensions } })];
}

/** The codes Apollo Server gives the same errors over HTTP. */
function coded(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: e.extensions.code ?? code } }));
}

/** For the HTTP endpoint, which cannot execute a subscription: a validation error that says where they are served. */
export function subscriptionsOverWebSocketRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      context.reportError(
        new GraphQLError('subscriptions are served over WebSocket on this same URL (graphql-ws, subprotocol graphql-transport-ws)', {
          nodes: [node],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'SUBSCRIPTION_OVER_HTTP' },
        }),
      );
    },
  };
}

/** `{ authorization: "Bearer <jwt>" }` (as in HTTP), or `{ token: "<jwt>" }`. */
export function tokenOf(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const header = params?.authorization ?? params?.Authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim() || null;
  return typeof params?.token === 'string' && params.token ? params.token : null;
}

export class LiveGateway {
  readonly #options: LiveGatewayOptions;
  readonly #limits: LiveLimits;
  readonly #pool: UpstreamPool;
  readonly #connections = new Map<Context, Connection>();
  readonly #mask: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly #buffered: Gauge;
  readonly #latency: Histogram<'field'>;
  readonly #dropped: Counter<'field'>;
  readonly #refused: Counter<'field'>;
  #sdl: string | null = null;
  /** built on the first subscription: planning costs nothing to a gateway nobody subscribes to */
  #schema: LiveSchema | null = null;
  #subscriptions = 0;
  #draining = false;
  #wss: WebSocketServer | null = null;
  #served: { dispose: () => void | Promise<void> } | null = null;

  constructor(options: LiveGatewayOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_LIVE_LIMITS, ...options.limits };
    this.#pool = new UpstreamPool({ secret: options.secret, log: options.log });
    this.#mask = maskErrors(options.log, options.metrics);
    const registers = [options.metrics.registry];
    const live = this;
    new Gauge({
      name: 'graphql_ws_connections',
      help: 'open, authenticated subscription connections',
      registers,
      collect() {
        this.set(live.#connections.size);
      },
    });
    new Gauge({
      name: 'graphql_subscriptions',
      help: 'active subscriptions',
      registers,
      collect() {
        this.set(live.#subscriptions);
      },
    });
    new Gauge({
      name: 'graphql_subscription_upstreams',
      help: 'streams open to subgraphs (identical subscriptions share one)',
      registers,
      collect() {
        this.set(live.#pool.size);
      },
    });
    new Gauge({
      name: 'graphql_ws_send_buffer_bytes',
      help: 'bytes written to subscription sockets and not yet handed to the kernel',
      registers,
      collect() {
        let bytes = 0;
        for (const client of live.#wss?.clients ?? []) bytes += client.bufferedAmount;
        this.set(bytes);
      },
    });
    this.#buffered = new Gauge({ name: 'graphql_subscription_buffered_events', help: 'events waiting in subscriber buffers', registers });
    this.#latency = new Histogram({
      name: 'graphql_subscription_delivery_seconds',
      help: 'from the change (the event time) to its delivery to a subscriber',
      labelNames: ['field'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#dropped = new Counter({
      name: 'graphql_subscription_dropped_events_total',
      help: 'events subscribers lost because they fell behind',
      labelNames: ['field'],
      registers,
    });
    this.#refused = new Counter({
      name: 'graphql_subscription_refused_events_total',
      help: "events withheld from a subscriber because they were outside its token's tenant or stores",
      labelNames: ['field'],
      registers,
    });
  }

  /** The gateway loaded a supergraph; any other than the current one closes every connection. */
  useSupergraph(sdl: string): void {
    if (this.#sdl === sdl) return;
    const previous = this.#sdl;
    this.#sdl = sdl;
    this.#schema = null;
    if (previous !== null) {
      this.#options.log.info({ connections: this.#connections.size }, 'live: the supergraph changed; closing every subscription connection');
      this.#closeAll(LIVE_CLOSE.SUPERGRAPH_CHANGED, 'the supergraph changed: subscribe again');
    }
  }

  /** Serves graphql-ws on the server's /graphql. */
  attach(server: Server): void {
    const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: 256 * 1024 });
    this.#wss = wss;
    this.#served = useServer(
      {
        onConnect: (ctx) => this.#connect(ctx),
        onSubscribe: (ctx, _id, payload) => this.#subscribe(ctx, payload),
        // graphql-ws sends each result of the iterator as it is (see onNext)
        subscribe: (args) => this.#start(args) as unknown as AsyncIterable<ExecutionResult>,
        // results are formatted (and masked) already
        onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
        onClose: (ctx) => this.#disconnect(ctx),
      },
      wss,
      this.#limits.keepAliveMs,
    );
  }

  /** Stops taking connections and closes every one (1001), waiting a little for clients to answer. */
  async drain(graceMs = 2_000): Promise<void> {
    this.#draining = true;
    const wss = this.#wss;
    this.#closeAll(LIVE_CLOSE.GOING_AWAY, 'the gateway is shutting down');
    if (wss) {
      const deadline = Date.now() + graceMs;
      while (wss.clients.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      for (const client of wss.clients) client.terminate();
      await this.#served?.dispose();
    }
    this.#pool.close();
  }

  #closeAll(code: number, reason: string): void {
    for (const client of this.#wss?.clients ?? []) client.close(code, reason);
  }

  async #connect(ctx: Context): Promise<boolean> {
    const socket = (ctx.extra as { socket: WebSocket }).socket;
    const refuse = (code: number, reason: string) => {
      socket.close(code, reason);
      return false;
    };
    if (this.#draining) return refuse(LIVE_CLOSE.GOING_AWAY, 'the gateway is shutting down');
    if (this.#connections.size >= this.#limits.maxConnections) return refuse(LIVE_CLOSE.TRY_AGAIN_LATER, 'too many connections: retry later');
    const token = tokenOf(ctx.connectionParams);
    if (!token) return refuse(LIVE_CLOSE.UNAUTHORIZED, 'send a token in connection_init: { "authorization": "Bearer <token>" }');
    let verified: Awaited<ReturnType<typeof verifyToken>>;
    try {
      verified = await verifyToken(token, this.#options.publicKey);
    } catch (error) {
      return refuse(LIVE_CLOSE.FORBIDDEN, `the token was refused: ${(error as Error).message}`.slice(0, 120));
    }
    const { expiresAt, ...identity } = verified;
    const expiresAtMs = expiresAt * 1000;
    const expiry = setTimeout(
      () => socket.close(LIVE_CLOSE.FORBIDDEN, 'the token expired'),
      Math.min(MAX_TIMER_MS, Math.max(0, expiresAtMs - Date.now())),
    );
    expiry.unref();
    this.#connections.set(ctx, { socket, identity, expiresAt: expiresAtMs, subscriptions: 0, expiry });
    return true;
  }

  #disconnect(ctx: Context): void {
    const connection = this.#connections.get(ctx);
    if (!connection) return;
    clearTimeout(connection.expiry);
    this.#connections.delete(ctx);
  }

  /** Validates, checks the limits and plans; returns the execution arguments, or errors for this subscription only. */
  #subscribe(ctx: Context, payload: SubscribePayload): ExecutionArgs | GraphQLError[] {
    const connection = this.#connections.get(ctx);
    if (this.#sdl !== null) this.#schema ??= new LiveSchema(this.#sdl);
    const schema = this.#schema;
    if (!connection || !schema) return refusal('the gateway is not ready for subscriptions', 'SERVICE_UNAVAILABLE');
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return coded([error as GraphQLError], 'GRAPHQL_PARSE_FAILED');
    }
    const invalid = validate(schema.api, document, [...specifiedRules, queryLimitsRule(this.#options.queryLimits ?? DEFAULT_LIMITS)]);
    if (invalid.length) return coded(invalid, 'GRAPHQL_VALIDATION_FAILED');
    const operationName = payload.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) return refusal('name the operation to run (operationName)', 'GRAPHQL_VALIDATION_FAILED');
    if (operation.operation !== 'subscription') {
      return refusal('only subscriptions are served over WebSocket: send queries and mutations to POST /graphql', 'OPERATION_NOT_SUPPORTED');
    }
    const variables = (payload.variables ?? {}) as Record<string, unknown>;
    const coerced = getVariableValues(schema.api, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return coded(coerced.errors, 'BAD_USER_INPUT');
    if (connection.subscriptions >= this.#limits.maxSubscriptionsPerConnection) {
      return refusal(`a connection may hold ${this.#limits.maxSubscriptionsPerConnection} subscriptions`, 'TOO_MANY_SUBSCRIPTIONS', {
        limit: 'connection',
      });
    }
    if (this.#subscriptions >= this.#limits.maxSubscriptions) {
      return refusal('this gateway holds as many subscriptions as it takes: retry later', 'TOO_MANY_SUBSCRIPTIONS', { limit: 'instance' });
    }
    let plan: LivePlan;
    try {
      plan = schema.plan(payload.query, document, operationName);
    } catch (error) {
      this.#options.log.error({ err: error }, 'live: planning a subscription failed');
      return refusal('the subscription could not be planned', 'INTERNAL_SERVER_ERROR');
    }
    connection.subscriptions += 1;
    this.#subscriptions += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      connection.subscriptions -= 1;
      this.#subscriptions -= 1;
    };
    const setup: Setup = { connection, schema, plan, request: { query: payload.query, operationName, variables }, release };
    return { schema: schema.api, document, operationName, variableValues: variables, contextValue: setup };
  }

  #start(args: ExecutionArgs): AsyncIterableIterator<FormattedExecutionResult, undefined> {
    const setup = args.contextValue as Setup;
    const service = this.#options.services().get(setup.plan.primary.serviceName);
    if (!service) {
      setup.release();
      return singleResult({
        errors: [{ message: `no subgraph ${setup.plan.primary.serviceName} in the service list`, extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }],
      });
    }
    return new LiveSubscription(this, setup, service);
  }

  // what a LiveSubscription needs from its gateway

  join(service: LiveService, setup: Setup, listener: UpstreamListener): () => void {
    const variables = Object.fromEntries((setup.plan.primary.variableUsages ?? []).map((name) => [name, setup.request.variables[name]]));
    return this.#pool.join(
      { name: setup.plan.primary.serviceName, url: service.url },
      setup.plan.upstreamOperation,
      variables,
      setup.connection.identity,
      listener,
    );
  }

  queue(field: string, onClose: () => void): LiveQueue<Item> {
    const coalesceMs = this.#limits.coalesceMs[field];
    return new LiveQueue<Item>({
      ...(coalesceMs ? { overflow: 'keep-latest', minIntervalMs: coalesceMs } : { overflow: 'drop-oldest', capacity: this.#limits.bufferSize }),
      onSize: (delta) => this.#buffered.inc(delta),
      onDrop: () => this.#dropped.inc({ field }),
      onClose,
    });
  }

  countLost(field: string, count: number): void {
    this.#dropped.inc({ field }, count);
  }

  /** Whether the subscriber's token still holds; if not, its connection is closed. */
  stillValid(connection: Connection): boolean {
    if (Date.now() < connection.expiresAt) return true;
    connection.socket.close(LIVE_CLOSE.FORBIDDEN, 'the token expired');
    return false;
  }

  admits(connection: Connection, meta: LiveMeta, field: string): boolean {
    if (inScope(connection.identity, meta)) return true;
    this.#refused.inc({ field });
    this.#options.log.error(
      { field, eventId: meta.eventId, tenant: connection.identity.tenantId },
      'live: an event outside the subscriber scope was withheld',
    );
    return false;
  }

  /** The event's full result for this subscription: executed once per operation and variables, shared. */
  async resolve(setup: Setup, event: UpstreamEvent): Promise<FormattedExecutionResult> {
    const primaryErrors = (event.errors ?? []).map((e) => this.#mask(e, e));
    if (!event.data) return { data: null, errors: primaryErrors.length ? primaryErrors : [{ message: 'the event has no data' }] };
    const key = `${setup.request.operationName ?? ''}\u0000${setup.request.query}\u0000${JSON.stringify(setup.request.variables)}`;
    let outcome = event.results.get(key);
    if (!outcome) {
      const services = Object.fromEntries([...this.#options.services()].map(([name, s]) => [name, s.dataSource]));
      const context: GatewayContext = {
        identity: setup.connection.identity,
        requestId: `live-${event.meta.eventId}`,
        traceparent: traceparentFrom(event.meta.traceparent ?? undefined),
      };
      outcome = setup.schema.execute(setup.plan, event.data, setup.request, context, services, this.#options.log);
      event.results.set(key, outcome);
    }
    try {
      const { data, errors, extensions } = await outcome;
      // the executor reports a null in a non-null field beside the errors; a subscriber should see why its data is null
      const completion = (extensions?.valueCompletion ?? []) as GraphQLError[];
      const all = [...primaryErrors, ...[...(errors ?? []), ...completion].map((e) => this.#mask(e.toJSON(), e))];
      return { data: (data as Record<string, unknown> | null | undefined) ?? null, ...(all.length ? { errors: all } : {}) };
    } catch (error) {
      this.#options.log.error({ err: error }, 'live: executing an event failed');
      return { data: null, errors: [...primaryErrors, { message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
  }

  delivered(field: string, meta: LiveMeta): void {
    const seconds = (Date.now() - Date.parse(meta.time)) / 1000;
    if (Number.isFinite(seconds)) this.#latency.observe({ field }, Math.max(0, seconds));
  }
}

/**
 * One subscriber: its bounded queue filled by the upstream stream, emptied at the pace the
 * socket takes (graphql-ws awaits each send before asking for the next result).
 */
class LiveSubscription implements AsyncIterableIterator<FormattedExecutionResult, undefined> {
  readonly #gateway: LiveGateway;
  readonly #setup: Setup;
  readonly #queue: LiveQueue<Item>;
  readonly #leave: () => void;
  /** events the subgraph dropped for this stream, not yet reported */
  #missed = 0;

  constructor(gateway: LiveGateway, setup: Setup, service: LiveService) {
    this.#gateway = gateway;
    this.#setup = setup;
    const field = setup.plan.field;
    this.#queue = gateway.queue(field, () => {
      this.#leave?.();
      setup.release();
    });
    this.#leave = gateway.join(service, setup, {
      event: (event) => {
        if (event.meta.dropped) {
          this.#missed += event.meta.dropped;
          gateway.countLost(field, event.meta.dropped);
        }
        this.#queue.push(event);
      },
      fail: (errors) => {
        this.#queue.push({ failed: errors });
        this.#queue.end();
      },
      complete: () => this.#queue.end(),
      gap: () => this.#queue.push(GAP),
    });
  }

  async next(): Promise<IteratorResult<FormattedExecutionResult, undefined>> {
    const { connection, plan } = this.#setup;
    let gap = false;
    for (;;) {
      const item = await this.#queue.next();
      if (item.done) return DONE;
      const { value, dropped } = item.value;
      if (value === GAP) {
        gap = true;
        continue;
      }
      if ('failed' in value) {
        this.#queue.close();
        return { value: { errors: [...value.failed] }, done: false };
      }
      if (!this.#gateway.stillValid(connection)) {
        this.#queue.close();
        return DONE;
      }
      if (!this.#gateway.admits(connection, value.meta, plan.field)) continue;
      const result = await this.#gateway.resolve(this.#setup, value);
      if (this.#queue.closed) return DONE;
      this.#gateway.delivered(plan.field, value.meta);
      const lost = dropped + this.#missed;
      this.#missed = 0;
      const live = { ...(lost ? { dropped: lost } : {}), ...(gap ? { gap: true } : {}) };
      return { value: lost || gap ? { ...result, extensions: { ...result.extensions, live } } : result, done: false };
    }
  }

  return(): Promise<IteratorResult<FormattedExecutionResult, undefined>> {
    this.#queue.close();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<FormattedExecutionResult, undefined>> {
    this.#queue.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** A stream of one result (a refusal found after planning). */
function singleResult(result: FormattedExecutionResult): AsyncIterableIterator<FormattedExecutionResult, undefined> {
  let sent = false;
  return {
    next: async () => {
      if (sent) return DONE;
      sent = true;
      return { value: result, done: false };
    },
    return: async () => DONE,
    throw: async (error?: unknown) => {
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

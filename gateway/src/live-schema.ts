/**
 * Planning and executing subscriptions over the supergraph. @apollo/gateway plans a
 * subscription (a primary fetch from the subgraph that owns the Subscription field, plus `rest`
 * for the fields other subgraphs add) but refuses to execute a plan whose root is a
 * Subscription node. So the gateway takes the primary from the owning subgraph's event stream
 * itself, and for each event runs the ordinary plan `Sequence [primary, rest]` through
 * @apollo/gateway's own executor (its exported executeQueryPlan), where the primary's service
 * answers the primary fetch with the event's data and passes every other fetch on.
 */
import { operationFromDocument, type Schema, Supergraph } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource } from '@apollo/gateway';
import { type FetchNode, type PlanNode, type QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { Logger } from '@comanda/kit';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, parse } from 'graphql';
import type { GatewayContext } from './context.ts';

type OperationContext = ReturnType<typeof buildOperationContext>;
type RequestContext = Parameters<typeof executeQueryPlan>[2];
export type ExecutionOutcome = Awaited<ReturnType<typeof executeQueryPlan>>;

export interface LivePlan {
  /** the Subscription field the operation selects */
  field: string;
  primary: FetchNode;
  rest: PlanNode | undefined;
  /** the primary as sent to its subgraph, without its generated name, so identical selections share one stream */
  upstreamOperation: string;
  operationContext: OperationContext;
}

const PLAN_CACHE_SIZE = 500;

function rootFieldOf(operation: string): string {
  const definition = parse(operation).definitions[0];
  const first = definition?.kind === Kind.OPERATION_DEFINITION ? definition.selectionSet.selections[0] : undefined;
  if (first?.kind !== Kind.FIELD) throw new Error(`unexpected primary operation: ${operation}`);
  return first.name.value;
}

/** One supergraph, as far as subscriptions are concerned. A new supergraph makes a new LiveSchema. */
export class LiveSchema {
  readonly sdl: string;
  /** the API schema that operations are validated against */
  readonly api: GraphQLSchema;
  readonly #apiSchema: Schema;
  readonly #supergraphSchema: GraphQLSchema;
  readonly #planner: QueryPlanner;
  readonly #plans = new Map<string, LivePlan>();

  constructor(sdl: string) {
    const supergraph = Supergraph.build(sdl);
    this.sdl = sdl;
    this.#apiSchema = supergraph.apiSchema();
    this.api = this.#apiSchema.toGraphQLJSSchema();
    this.#supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.#planner = new QueryPlanner(supergraph);
  }

  /** Plans a validated subscription operation (cached per operation text and name). */
  plan(query: string, document: DocumentNode, operationName: string | undefined): LivePlan {
    const key = `${operationName ?? ''}\u0000${query}`;
    const cached = this.#plans.get(key);
    if (cached) return cached;
    const queryPlan = this.#planner.buildQueryPlan(operationFromDocument(this.#apiSchema, document, { operationName }));
    const node = queryPlan.node;
    if (node?.kind !== 'Subscription') throw new GraphQLError('only a subscription operation can be planned here');
    const plan: LivePlan = {
      field: rootFieldOf(node.primary.operation),
      primary: node.primary,
      rest: node.rest,
      upstreamOperation: node.primary.operation.replace(/^subscription\s+[_A-Za-z][_0-9A-Za-z]*/, 'subscription'),
      operationContext: buildOperationContext({ schema: this.api, operationDocument: document, operationName }),
    };
    if (this.#plans.size >= PLAN_CACHE_SIZE) this.#plans.delete(this.#plans.keys().next().value as string);
    this.#plans.set(key, plan);
    return plan;
  }

  /**
   * One event: the primary's data (as its subgraph sent it) completed with `rest` through the
   * gateway's executor. A failing fetch leaves its fields null with an error, like any query.
   */
  execute(
    plan: LivePlan,
    primaryData: Record<string, unknown>,
    request: { query: string; operationName?: string; variables: Record<string, unknown> },
    context: GatewayContext,
    services: Readonly<Record<string, GraphQLDataSource>>,
    log: Logger,
  ): Promise<ExecutionOutcome> {
    const owner = services[plan.primary.serviceName];
    // the executor merges later fetches into this object: each execution gets its own copy
    const answer = { data: structuredClone(primaryData) };
    const fromEvent: GraphQLDataSource = {
      process: (options) => {
        if (options.request.query === plan.primary.operation) return Promise.resolve(answer);
        if (!owner) return Promise.reject(new Error(`no data source for ${plan.primary.serviceName}`));
        return owner.process(options);
      },
    };
    const queryPlan: QueryPlan = { kind: 'QueryPlan', node: plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary };
    const requestContext = { request, context, metrics: {}, logger: log } as unknown as RequestContext;
    return executeQueryPlan(
      queryPlan,
      { ...services, [plan.primary.serviceName]: fromEvent },
      requestContext,
      plan.operationContext,
      this.#supergraphSchema,
      this.#apiSchema,
    );
  }
}

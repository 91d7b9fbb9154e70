import { createLogger, loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { orderAccountHandler } from './events.ts';
import { migrations } from './migrations/0001_payments.ts';
import { PaymentsProviderSettlement } from './migrations/0002_provider_settlement.ts';
import { type PollerOptions, pollerOptionsFromEnv, startPoller } from './poller.ts';
import { type Providers, providersFromEnv } from './providers/index.ts';
import { createReactions } from './reactions.ts';
import { createResolvers } from './resolvers.ts';
import { webhookRoutes } from './webhooks.ts';

export interface PaymentsOptions {
  /** by default the sandbox, configured from the environment */
  providers?: Providers;
  poller?: PollerOptions;
}

/**
 * The payments subgraph around one set of providers: the resolvers, the reactions, the webhook
 * route and the status poller all use the same instances, so a payment authorized by one is
 * settled by the same provider (and the same circuit breaker) in every path.
 */
export function createPayments(options: PaymentsOptions = {}): SubgraphModule {
  const providers = options.providers ?? providersFromEnv();
  const poller = options.poller ?? pollerOptionsFromEnv();
  return {
    name: 'payments',
    port: 4102,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(providers),
    entities,
    migrations: [...migrations, { name: '0002_provider_settlement', class: PaymentsProviderSettlement }],
    consumes: [orderAccountHandler, ...createReactions(providers)],
    routes: webhookRoutes(providers, createLogger('payments')),
    background: async (runtime) => {
      providers.attach(runtime.url);
      const stopPoller = startPoller(runtime.orm, providers, runtime.log, poller);
      return async () => {
        await stopPoller();
        providers.close();
      };
    },
  };
}

export const payments: SubgraphModule = createPayments();

export { orderAccountHandler } from './events.ts';

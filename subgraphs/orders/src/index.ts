import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { liveFeed } from './live.ts';
import { migrations } from './migrations/0001_orders.ts';
import { OrdersCatalogPricing } from './migrations/0002_catalog_pricing.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';
import { startPendingTimeouts, type TimeoutOptions, timeoutOptionsFromEnv } from './services/pending-timeout.ts';

export interface OrdersOptions {
  /** the pending-order timeout job; by default from the environment (COMANDA_ORDERS_TIMEOUT_INTERVAL_MS) */
  timeouts?: TimeoutOptions;
}

export function createOrders(options: OrdersOptions = {}): SubgraphModule {
  const timeouts = options.timeouts ?? timeoutOptionsFromEnv();
  return {
    name: 'orders',
    port: 4101,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers,
    entities,
    migrations: [...migrations, { name: '0002_catalog_pricing', class: OrdersCatalogPricing }],
    consumes: reactions,
    live: liveFeed,
    background: async (runtime) => startPendingTimeouts(runtime.orm, runtime.log, timeouts),
  };
}

export const orders: SubgraphModule = createOrders();

export { type TransitionRequest, type TransitionResult, transitionOrder } from './services/order-lifecycle.ts';

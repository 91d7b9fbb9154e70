import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { liveFeed } from './live.ts';
import { migrations } from './migrations/0001_orders.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';

export const orders: SubgraphModule = {
  name: 'orders',
  port: 4101,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities,
  migrations,
  consumes: reactions,
  live: liveFeed,
};

export { type TransitionRequest, type TransitionResult, transitionOrder } from './services/order-lifecycle.ts';

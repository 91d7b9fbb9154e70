import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { orderAccountHandler } from './events.ts';
import { migrations } from './migrations/0001_payments.ts';
import { codOnDelivery, refundOnCancel } from './reactions.ts';
import { resolvers } from './resolvers.ts';

export const payments: SubgraphModule = {
  name: 'payments',
  port: 4102,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities,
  migrations,
  consumes: [orderAccountHandler, refundOnCancel, codOnDelivery],
};

export { orderAccountHandler } from './events.ts';

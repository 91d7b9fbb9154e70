import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { migrations } from './migrations/0001_logistics.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';

export const logistics: SubgraphModule = {
  name: 'logistics',
  port: 4104,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities,
  migrations,
  consumes: reactions,
};

export { orderStock } from './reactions.ts';

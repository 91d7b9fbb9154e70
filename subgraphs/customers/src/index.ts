import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { migrations } from './migrations/0001_customers.ts';
import { CustomerCare } from './migrations/0002_customer_care.ts';
import { CustomerActivity } from './migrations/0003_customer_activity.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';

export const customers: SubgraphModule = {
  name: 'customers',
  port: 4103,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities,
  migrations: [...migrations, { name: '0002_customer_care', class: CustomerCare }, { name: '0003_customer_activity', class: CustomerActivity }],
  consumes: reactions,
};

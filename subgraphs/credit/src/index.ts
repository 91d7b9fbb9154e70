import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { migrations } from './migrations/0001_credit.ts';
import { CreditCustomerLinks } from './migrations/0002_customer_links.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';

export const credit: SubgraphModule = {
  name: 'credit',
  port: 4105,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities,
  migrations: [...migrations, { name: '0002_customer_links', class: CreditCustomerLinks }],
  consumes: reactions,
};

export { consumeOnInvoice, creditOnCustomers, creditOnOrders, releaseOnPayment } from './reactions.ts';
export { type RecalculateCreditProfileInput, recalculateCreditProfile } from './services/profiles.ts';
export { consumeCredit, type ReserveCreditInput, releaseCredit, reserveCredit } from './services/reservations.ts';

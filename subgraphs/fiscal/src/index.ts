import { loadTypeDefs, type SubgraphModule } from '@comanda/kit';
import { entities } from './entities.ts';
import { liveFeed } from './live.ts';
import { migrations } from './migrations/0001_fiscal.ts';
import { FiscalSales } from './migrations/0002_sales.ts';
import { reactions } from './reactions.ts';
import { resolvers } from './resolvers.ts';

export const fiscal: SubgraphModule = {
  name: 'fiscal',
  port: 4106,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities,
  migrations: [...migrations, { name: '0002_sales', class: FiscalSales }],
  consumes: reactions,
  live: liveFeed,
};

export type { InvoiceRequest, ReceiptSnapshot } from './domain/documents.ts';
export { issueInvoice } from './services/invoices.ts';
export { type AcknowledgeInput, acknowledgePrintJob } from './services/print-jobs.ts';
export { issueReceipt, reprintReceipt } from './services/receipts.ts';

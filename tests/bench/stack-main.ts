/**
 * The stack a benchmark runs against, in its own process: every subgraph, the relay and a
 * gateway on free ports, seeded with the demo tenant widened to BENCH_STORES stores (default:
 * the demo's own). Prints one line of JSON with the URLs when ready; SIGTERM stops it.
 */
import { loadKeys } from '@comanda/gateway';
import { demoTenant } from '../../scripts/demo/data.ts';
import { startStack } from '../../scripts/stack.ts';
import { withStores } from './bench-tenant.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const tenant = withStores(demoTenant, Number(process.env.BENCH_STORES ?? demoTenant.stores.length));
const stack = await startStack({ databaseUrl, keys: await loadKeys(), tenants: [tenant], ephemeralPorts: true });
console.log(
  JSON.stringify({
    gatewayUrl: stack.gateway.url,
    subgraphUrls: Object.fromEntries(Object.entries(stack.subgraphs).map(([name, runtime]) => [name, runtime.url])),
    storeIds: tenant.stores.map((s) => s.id),
  }),
);
process.once('SIGTERM', async () => {
  await stack.stop();
  process.exit(0);
});

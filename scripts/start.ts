/**
 * npm start: the whole of Comanda on one machine. Uses DATABASE_URL when set, otherwise an
 * embedded PostgreSQL; migrates, seeds the demo tenant, starts the six subgraphs and the
 * gateway, then prints the URLs and a dev token.
 */
import { DEV_PASSWORD, DEV_USERS, loadKeys, mintToken } from '@comanda/gateway';
import { demoTenant } from './demo/data.ts';
import { ensurePosBuilt } from './pos-build.ts';
import { openDatabase } from './postgres.ts';
import { startStack } from './stack.ts';

const say = (line: string) => process.stderr.write(`comanda: ${line}\n`);
process.env.LOG_LEVEL ??= 'warn';

// the POS is served by the gateway at /pos: build it once if it is missing or stale
await ensurePosBuilt(say).catch((error: Error) => say(`the POS did not build (${error.message}); /pos says how to build it`));
const database = await openDatabase('comanda', say);
const keys = await loadKeys();
const devLogin = { tenantId: demoTenant.tenantId, password: DEV_PASSWORD, users: DEV_USERS };
const stack = await startStack({ databaseUrl: database.url, keys, tenants: [demoTenant], log: say, devLogin });
const token = await mintToken({ tenant: demoTenant.tenantId, role: 'manager' }, keys.privateKey!);

say('ready');
if (process.argv.includes('--ready-json')) {
  // for tools that start the stack as a child process (benchmarks): one line of JSON on stdout
  console.log(
    JSON.stringify({ gatewayUrl: stack.gateway.url, subgraphUrls: Object.fromEntries(Object.entries(stack.subgraphs).map(([n, r]) => [n, r.url])) }),
  );
} else {
  console.log(`
  Gateway (GraphQL)   ${stack.gateway.url}
  Subgraphs           ${Object.entries(stack.subgraphs)
    .map(([n, r]) => `${n} ${r.url}`)
    .join('\n                      ')}
  POS                 http://127.0.0.1:${stack.gateway.port}/pos  (sign in: ${Object.keys(DEV_USERS).join(' or ')}, password ${DEV_PASSWORD})
  Health / metrics    http://127.0.0.1:${stack.gateway.port}/healthz  /metrics
  Database            ${database.embedded ? 'embedded PostgreSQL (.data/postgres)' : 'DATABASE_URL'}
  Demo store          ${demoTenant.stores[0]?.name} (${demoTenant.stores[0]?.id})

  Dev token (tenant demo, role manager, 12 h; more with: npm run token -- --tenant demo --role cashier):
  ${token}

  Try:
  curl -s ${stack.gateway.url} -H 'content-type: application/json' -H "authorization: Bearer ${token.slice(0, 12)}..." \\
       -d '{"query":"{ stores { id name currencyCode } }"}'
`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    await stack.stop();
    await database.stop();
    process.exit(0);
  });
}

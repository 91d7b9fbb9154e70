/**
 * npm run bench -- <name> [--seconds N] [--concurrency N] [options of that benchmark]
 * Benchmarks print ratios against a baseline measured in the same run; the last line is JSON.
 * A benchmark reads its own options (e.g. subscriptions: --connections, --rate) from argv.
 */
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: { seconds: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '32' } },
});

const benches: Record<string, () => Promise<{ run: (o: { seconds: number; concurrency: number }) => Promise<void> }>> = {
  'federated-read': () => import('./federated-read.ts'),
  events: () => import('./events.ts'),
  subscriptions: () => import('./subscriptions.ts'),
  pos: () => import('./pos.ts'),
  print: () => import('./print.ts'),
  checkout: () => import('./checkout.ts'),
};

const name = positionals[0];
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [--seconds 20] [--concurrency 32]`);
  process.exit(2);
}
await (await load()).run({ seconds: Number(values.seconds ?? 20), concurrency: Number(values.concurrency ?? 32) });
process.exit(0);

import { readFileSync } from 'node:fs';
import { SUPERGRAPH_PATH, startGateway } from './gateway.ts';

const runtime = await startGateway({ port: Number(process.env.PORT ?? 4000), host: process.env.HOST ?? '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    runtime.log.info({ signal }, 'shutting down');
    await runtime.stop();
    process.exit(0);
  });
}
// SIGHUP: serve schema/supergraph.graphql as it is now; subscription connections close (4205) and subscribe again
process.on('SIGHUP', () => {
  try {
    runtime.updateSupergraph(readFileSync(SUPERGRAPH_PATH, 'utf8'));
    runtime.log.info('supergraph reloaded');
  } catch (err) {
    runtime.log.error({ err }, 'supergraph reload failed; the previous one stays');
  }
});

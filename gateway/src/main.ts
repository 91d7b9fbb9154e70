import { readFileSync } from 'node:fs';
import { DEV_PASSWORD, DEV_USERS } from './dev-login.ts';
import { SUPERGRAPH_PATH, startGateway } from './gateway.ts';

// development sign-in only when asked for (docs/pos.md)
const devLogin =
  process.env.COMANDA_DEV_LOGIN === '1'
    ? { tenantId: process.env.COMANDA_DEV_TENANT ?? 'demo', password: DEV_PASSWORD, users: DEV_USERS }
    : undefined;
const runtime = await startGateway({ port: Number(process.env.PORT ?? 4000), host: process.env.HOST ?? '127.0.0.1', devLogin });
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

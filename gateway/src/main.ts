import { startGateway } from './gateway.ts';

const runtime = await startGateway({ port: Number(process.env.PORT ?? 4000), host: process.env.HOST ?? '127.0.0.1' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    runtime.log.info({ signal }, 'shutting down');
    await runtime.stop();
    process.exit(0);
  });
}

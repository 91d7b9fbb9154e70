/**
 * The relay as its own process (docker-compose's `relay` service, or `npm run relay`): publishes
 * every subgraph's outbox to Kafka (KAFKA_BROKERS) or the embedded log. Run several: they share
 * the outboxes by advisory lock, one publisher each, the others on standby.
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/comanda KAFKA_BROKERS=127.0.0.1:9092 npm run relay
 * /healthz, /readyz (the transport answers) and /metrics (lag, events published, errors) on PORT (4190).
 */
import { createServer } from 'node:http';
import { SUBGRAPHS } from '@comanda/schema';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { EmbeddedTransport } from './embedded-transport.ts';
import { brokersFromEnv, KafkaTransport } from './kafkajs-transport.ts';
import { startRelay } from './relay.ts';
import type { EventTransport } from './transport.ts';

const SOURCES = SUBGRAPHS.map((s) => s.name);

const log = pino({ name: 'relay', level: process.env.LOG_LEVEL ?? 'info' });
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  log.error('DATABASE_URL must be set');
  process.exit(2);
}
// the relay's own role: it reads every outbox and may only mark rows published (kit/src/db.ts)
const url = new URL(adminUrl);
url.username = 'comanda_relay';
url.password = 'comanda_relay';
const relayUrl = url.toString();

const transport: EventTransport = process.env.KAFKA_BROKERS?.trim()
  ? new KafkaTransport({ brokers: brokersFromEnv(), clientId: 'comanda-relay', logger: log })
  : new EmbeddedTransport({ databaseUrl: relayUrl, log });
const registry = new Registry();
registry.setDefaultLabels({ service: 'relay' });
collectDefaultMetrics({ register: registry });
const sources = process.env.RELAY_SOURCES?.split(',').map((s) => s.trim()) ?? SOURCES;
const relay = await startRelay({ databaseUrl: relayUrl, sources, transport, log, registry });

const server = createServer(async (req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': registry.contentType });
    return res.end(await registry.metrics());
  }
  if (req.url === '/readyz') {
    const health = await transport.health();
    res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(health));
  }
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: req.url === '/healthz' ? 'ok' : 'not found' }));
});
server.listen(Number(process.env.PORT ?? 4190), process.env.HOST ?? '127.0.0.1');
log.info({ sources, transport: process.env.KAFKA_BROKERS ? 'kafka' : 'embedded' }, 'relay started');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    log.info({ signal }, 'relay stopping');
    server.close();
    await relay.stop();
    await transport.close();
    process.exit(0);
  });
}

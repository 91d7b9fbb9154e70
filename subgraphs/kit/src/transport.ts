import { brokersFromEnv, EmbeddedTransport, type EventTransport, KafkaTransport } from '@comanda/kafka';
import { appDatabaseUrl } from './db.ts';
import type { Logger } from './log.ts';

/**
 * Kafka when KAFKA_BROKERS is set, otherwise the embedded log on PostgreSQL (DESIGN.md: `npm
 * start` works without a broker). Both speak the same EventTransport contract.
 */
export function transportFromEnv(databaseUrl: string, log: Logger, env: NodeJS.ProcessEnv = process.env): EventTransport {
  if (env.KAFKA_BROKERS?.trim()) {
    return new KafkaTransport({
      brokers: brokersFromEnv(env),
      clientId: 'comanda',
      logger: log.child({ component: 'kafka' }),
      groupPrefix: env.COMANDA_KAFKA_GROUP_PREFIX,
    });
  }
  return new EmbeddedTransport({ databaseUrl: appDatabaseUrl(databaseUrl, 'relay'), log });
}

export const transportName = (env: NodeJS.ProcessEnv = process.env) => (env.KAFKA_BROKERS?.trim() ? 'kafka' : 'embedded');

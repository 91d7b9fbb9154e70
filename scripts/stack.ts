/**
 * Starts the whole supergraph in one process: every subgraph (migrated, optionally seeded)
 * and the gateway. `npm start` and the integration tests both use it; docker-compose runs the
 * same services one per container through their main.ts.
 */
import { existsSync } from 'node:fs';
import { type DevLoginOptions, type GatewayRuntime, type Keys, startGateway } from '@comanda/gateway';
import { brokersFromEnv, createTopics, type EventTransport, type Relay, startRelay, TOPICS } from '@comanda/kafka';
import {
  appDatabaseUrl,
  createLogger,
  ensureDatabase,
  migrate,
  type SubgraphModule,
  type SubgraphRuntime,
  startSubgraph,
  tenantEm,
  transportFromEnv,
  transportName,
} from '@comanda/kit';
import { composeSupergraph, selectedSubgraphs } from '@comanda/schema';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { DemoTenant } from './demo/data.ts';

type Seed = (em: import('@comanda/kit').EntityManager, tenant: DemoTenant) => Promise<void>;

export interface LoadedSubgraph {
  module: SubgraphModule;
  seed: Seed | null;
}

/** Loads each subgraph present in the tree (all six once the foundation is complete). */
export async function loadSubgraphs(): Promise<LoadedSubgraph[]> {
  const loaded: LoadedSubgraph[] = [];
  for (const { name } of selectedSubgraphs()) {
    if (!existsSync(new URL(`../subgraphs/${name}/src/index.ts`, import.meta.url))) continue;
    const mod = (await import(`@comanda/${name}`)) as Record<string, SubgraphModule>;
    const module = mod[name];
    if (!module) throw new Error(`@comanda/${name} must export \`${name}\`, its SubgraphModule`);
    const seedFile = new URL(`../subgraphs/${name}/src/seed.ts`, import.meta.url);
    const seed = existsSync(seedFile) ? ((await import(`@comanda/${name}/seed`)) as { seed: Seed }).seed : null;
    loaded.push({ module, seed });
  }
  return loaded;
}

export interface StackOptions {
  databaseUrl: string;
  identitySecret?: string;
  keys: Keys;
  /** default ports of DESIGN.md, or 0 for any free port (tests) */
  ephemeralPorts?: boolean;
  gatewayPort?: number;
  tenants?: DemoTenant[];
  log?: (line: string) => void;
  /** where KAFKA_BROKERS is read from (tests start a Kafka stack beside the embedded one) */
  env?: NodeJS.ProcessEnv;
  /** the POS's development sign-in (POST /auth/dev-login) */
  devLogin?: DevLoginOptions;
}

export interface Stack {
  gateway: GatewayRuntime;
  subgraphs: Record<string, SubgraphRuntime>;
  /** the transport the relay publishes to and the reactions read from */
  transport: EventTransport;
  relay: Relay;
  stop: () => Promise<void>;
}

export async function seedTenant(orm: MikroORM, seed: Seed, tenant: DemoTenant): Promise<void> {
  await tenantEm(orm, tenant.tenantId).transactional((tx) => seed(tx, tenant));
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  await ensureDatabase(options.databaseUrl);
  const loaded = await loadSubgraphs();
  for (const { module } of loaded) {
    await migrate(module.name, module.migrations, options.databaseUrl);
    log(`migrated ${module.name}`);
  }
  const subgraphs: Record<string, SubgraphRuntime> = {};
  const env = options.env ?? process.env;
  const eventLog = createLogger('events');
  if (transportName(env) === 'kafka') {
    const result = await createTopics(brokersFromEnv(env), TOPICS);
    log(`kafka topics: ${result.created.length} created, ${TOPICS.length - result.created.length} present`);
  }
  const transport = transportFromEnv(options.databaseUrl, eventLog, env);
  // one relay per outbox across all processes (advisory lock); this one publishes them all
  const relay = await startRelay({
    databaseUrl: appDatabaseUrl(options.databaseUrl, 'relay'),
    sources: loaded.map(({ module }) => module.name),
    transport,
    log: eventLog,
  });
  log(`events: relay publishing to the ${transportName(env)} transport`);
  try {
    for (const { module, seed } of loaded) {
      const runtime = await startSubgraph(module, {
        databaseUrl: options.databaseUrl,
        identitySecret: options.keys.internalSecret,
        port: options.ephemeralPorts ? 0 : module.port,
        migrated: true,
        transport,
      });
      subgraphs[module.name] = runtime;
      if (seed) for (const tenant of options.tenants ?? []) await seedTenant(runtime.orm, seed, tenant);
    }
    const gateway = await startGateway({
      port: options.gatewayPort ?? (options.ephemeralPorts ? 0 : 4000),
      keys: options.keys,
      // a narrowed development run composes its own supergraph; otherwise the checked-in one
      supergraphSdl: process.env.COMANDA_SUBGRAPHS ? composeSupergraph() : undefined,
      subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([name, rt]) => [name, rt.url])),
      devLogin: options.devLogin,
    });
    return {
      gateway,
      subgraphs,
      transport,
      relay,
      stop: async () => {
        await gateway.stop();
        await relay.stop();
        for (const rt of Object.values(subgraphs)) await rt.stop();
        await transport.close();
      },
    };
  } catch (error) {
    await relay.stop().catch(() => {});
    for (const rt of Object.values(subgraphs)) await rt.stop().catch(() => {});
    await transport.close().catch(() => {});
    throw error;
  }
}

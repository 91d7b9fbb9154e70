/**
 * npm run seed: migrate every subgraph and seed the demo tenant into DATABASE_URL, then exit.
 * docker-compose runs it once before the services; `npm start` seeds by itself.
 */
import { appDatabaseUrl, ensureDatabase, migrate, openOrm } from '@comanda/kit';
import { demoTenant } from './demo/data.ts';
import { loadSubgraphs, seedTenant } from './stack.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('seed: set DATABASE_URL (npm start seeds an embedded database by itself)');
  process.exit(2);
}
await ensureDatabase(databaseUrl);
for (const { module, seed } of await loadSubgraphs()) {
  await migrate(module.name, module.migrations, databaseUrl);
  if (!seed) continue;
  const orm = await openOrm(module.name, module.entities, appDatabaseUrl(databaseUrl, module.name));
  try {
    await seedTenant(orm, seed, demoTenant);
  } finally {
    await orm.close();
  }
  console.log(`seed: ${module.name} ready`);
}

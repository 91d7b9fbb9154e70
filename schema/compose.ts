/**
 * Composes the six subgraph schemas into schema/supergraph.graphql (checked in, so the gateway
 * starts from a reviewed file and a schema change shows up in review).
 *   npm run compose            write the supergraph
 *   npm run compose -- --check exit 1 when the checked-in file is stale
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export const SUBGRAPHS = [
  { name: 'orders', port: 4101 },
  { name: 'payments', port: 4102 },
  { name: 'customers', port: 4103 },
  { name: 'logistics', port: 4104 },
  { name: 'credit', port: 4105 },
  { name: 'fiscal', port: 4106 },
] as const;

const root = new URL('../', import.meta.url);
export const SUPERGRAPH_FILE = fileURLToPath(new URL('schema/supergraph.graphql', root));

export function subgraphSchemaFile(name: string): URL {
  return new URL(`subgraphs/${name}/schema.graphql`, root);
}

/** COMANDA_SUBGRAPHS=orders,customers narrows a development run to some subgraphs. */
export function selectedSubgraphs(): (typeof SUBGRAPHS)[number][] {
  const only = process.env.COMANDA_SUBGRAPHS?.split(',').map((s) => s.trim());
  return SUBGRAPHS.filter((s) => !only || only.includes(s.name));
}

export function composeSupergraph(): string {
  const common = readFileSync(new URL('subgraphs/kit/src/common.graphql', root), 'utf8');
  const services = selectedSubgraphs()
    .filter((s) => existsSync(subgraphSchemaFile(s.name)))
    .map((s) => ({
      name: s.name,
      url: `http://127.0.0.1:${s.port}/graphql`,
      typeDefs: parse(`${common}\n${readFileSync(subgraphSchemaFile(s.name), 'utf8')}`),
    }));
  const result = composeServices(services);
  if (result.errors?.length || !result.supergraphSdl) {
    throw new Error(`composition failed:\n${(result.errors ?? []).map((e) => `  ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const sdl = composeSupergraph();
    if (process.argv.includes('--check')) {
      const current = existsSync(SUPERGRAPH_FILE) ? readFileSync(SUPERGRAPH_FILE, 'utf8') : '';
      if (current !== sdl) {
        console.error('schema/supergraph.graphql is stale: run npm run compose');
        process.exit(1);
      }
      console.log('supergraph is up to date');
    } else {
      writeFileSync(SUPERGRAPH_FILE, sdl);
      console.log(`wrote ${SUPERGRAPH_FILE}`);
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

import { createRequire } from 'node:module';

/**
 * The graphql module Apollo's CommonJS packages use. Node gives an ESM `import 'graphql'` that
 * same CommonJS build (graphql has no `exports` map), but Vite (so vitest) resolves it to the
 * .mjs build: a second copy, whose instanceof checks refuse the first one's schemas and errors.
 * Code that validates or executes against a schema Apollo built, or hands GraphQLErrors to
 * graphql-ws, takes its functions from here.
 */
export const apolloGraphql: typeof import('graphql') = createRequire(import.meta.url)('graphql');

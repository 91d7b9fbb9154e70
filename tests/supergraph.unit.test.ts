import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeSupergraph, SUPERGRAPH_FILE } from '@comanda/schema';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const contractCheck = fileURLToPath(new URL('../../shared/tools/check-contract.mjs', import.meta.url));

describe('the composed supergraph', () => {
  it('composes, and the checked-in schema/supergraph.graphql is not stale', () => {
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composeSupergraph());
  });

  it.skipIf(!existsSync(contractCheck))('offers the whole public contract: every operation validates', () => {
    const run = spawnSync(process.execPath, [contractCheck], { cwd: root, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toMatch(/contract: ok/);
    expect(run.status).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { gqlCountingSql } from './support/client.ts';

describe('statement counting (the tool the N+1 tests rely on)', () => {
  it('counts the statements of one request per subgraph, and more rows do not mean more statements', async () => {
    const few = await gqlCountingSql('{ customers(first: 1) { nodes { id name } } }');
    const many = await gqlCountingSql('{ customers(first: 100) { nodes { id name } } }');
    expect(few.result.errors).toBeUndefined();
    expect(few.statements.customers).toBeGreaterThan(0);
    expect(many.statements.customers).toBe(few.statements.customers);
  });
});

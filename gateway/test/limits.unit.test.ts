import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from '../src/limits.ts';

const schema = buildSchema(`type Node { id: ID! child: Node name: String } type Query { node: Node }`);

function reasons(query: string, limits = { maxDepth: 3, maxFields: 6 }) {
  return validate(schema, parse(query), [queryLimitsRule(limits)]).map((e) => e.extensions.reason);
}

describe('query limits', () => {
  it('lets an operation at the limits through', () => {
    expect(reasons('{ node { child { id } } }')).toEqual([]);
  });
  it('counts depth through fragments and inline fragments', () => {
    expect(reasons('{ node { child { child { id } } } }')).toEqual(['QUERY_TOO_DEEP']);
    expect(reasons('{ node { ...F } } fragment F on Node { child { ... on Node { child { id } } } }')).toEqual(['QUERY_TOO_DEEP']);
  });
  it('counts every selected field, aliases included', () => {
    expect(reasons('{ a: node { id } b: node { id } c: node { id } d: node { id } }')).toEqual(['QUERY_TOO_LARGE']);
  });
  it('does not loop on a fragment cycle (the standard rules report it)', () => {
    expect(() => reasons('{ node { ...A } } fragment A on Node { child { ...A } }')).not.toThrow();
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEventCatalog } from '../schema/events.ts';
import { EVENTS_DOC, renderEventsDoc } from '../schema/events-docs.ts';

const catalog = loadEventCatalog();

describe('the event catalog', () => {
  it('has a schema per type, each with an example that validates against it', () => {
    expect(catalog.types.length).toBeGreaterThan(10);
    for (const type of catalog.types) {
      const schema = catalog.schema(type)!;
      expect(schema['x-topic'], type).toBe(`${type.split('.').slice(0, 3).join('.')}.v1`);
      expect(schema.examples?.length, `${type} has no example`).toBeGreaterThan(0);
      for (const example of schema.examples ?? []) expect(catalog.validate(example as object), type).toBeNull();
    }
  });

  it('docs/events.md is generated from the current schemas (npm run events:docs)', () => {
    expect(readFileSync(EVENTS_DOC, 'utf8')).toBe(renderEventsDoc());
  });
});

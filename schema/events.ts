/**
 * The event catalog: one JSON Schema per event type in schema/events/, each extending the
 * CloudEvents envelope (envelope.schema.json). Tests validate every published event against
 * it and docs/events.md is generated from it (`npm run events:docs`), so the three never drift.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const DIR = new URL('./events/', import.meta.url);
const ENVELOPE_FILE = 'envelope.schema.json';

export interface EventSchema {
  $id: string;
  title: string;
  description: string;
  'x-topic': string;
  'x-key': string;
  'x-consumers': string[];
  examples?: unknown[];
  properties: { type: { const: string }; source: { const: string }; data: unknown };
}

export interface EventCatalog {
  types: string[];
  schema: (type: string) => EventSchema | undefined;
  /** null when valid; otherwise what is wrong, one line per problem */
  validate: (event: object) => string[] | null;
}

const readJson = (file: string) => JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));

export function loadEventCatalog(): EventCatalog {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  ajv.addKeyword('x-topic').addKeyword('x-key').addKeyword('x-consumers');
  addFormats.default(ajv);
  ajv.addSchema(readJson(ENVELOPE_FILE), ENVELOPE_FILE);
  const schemas = new Map<string, EventSchema>();
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.json') && f !== ENVELOPE_FILE)
    .sort()) {
    const schema = readJson(file) as EventSchema;
    const type = schema.properties.type.const;
    if (file !== `${type}.json`) throw new Error(`schema/events/${file} describes ${type}: rename it`);
    schemas.set(type, schema);
    validators.set(type, ajv.compile(schema));
  }
  return {
    types: [...schemas.keys()],
    schema: (type) => schemas.get(type),
    validate(event) {
      const type = (event as { type?: unknown }).type;
      const validator = typeof type === 'string' ? validators.get(type) : undefined;
      if (!validator) return [`no schema for event type ${String(type)}`];
      if (validator(event)) return null;
      return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    },
  };
}

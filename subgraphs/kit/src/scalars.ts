import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { Decimal } from './money.ts';

const DECIMAL_TEXT = /^-?\d{1,18}(\.\d{1,10})?$/;
const CURRENCY = /^[A-Z]{3}$/;

function invalid(name: string, why: string): never {
  throw new GraphQLError(`${name} ${why}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

function literal(ast: ValueNode, name: string, kinds: Kind[]): string {
  if (!kinds.includes(ast.kind) || !('value' in ast) || typeof ast.value !== 'string') invalid(name, 'must be a string');
  return ast.value;
}

/** Decimal travels as a string so no client or JSON parser ever turns it into a float. */
function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL_TEXT.test(text.trim())) {
    invalid('Decimal', `must be a decimal number like "12.50", got ${JSON.stringify(value)}`);
  }
  return text.trim();
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) invalid('DateTime', `must be an ISO 8601 date-time, got ${JSON.stringify(value)}`);
  return date;
}

function parseCurrency(value: unknown): string {
  if (typeof value !== 'string' || !CURRENCY.test(value)) invalid('CurrencyCode', `must be three capital letters, got ${JSON.stringify(value)}`);
  return value;
}

export const DecimalScalar: GraphQLScalarType<string, string> = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number, sent as a string',
  serialize(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value instanceof Decimal) return value.toFixed();
    if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value).toFixed();
    throw new GraphQLError('Decimal cannot represent this value');
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(literal(ast, 'Decimal', [Kind.STRING, Kind.INT, Kind.FLOAT])),
});

export const DateTimeScalar: GraphQLScalarType<Date, string> = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO 8601 date-time',
  serialize(value: unknown): string {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent this value');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literal(ast, 'DateTime', [Kind.STRING])),
});

export const CurrencyCodeScalar: GraphQLScalarType<string, string> = new GraphQLScalarType<string, string>({
  name: 'CurrencyCode',
  description: 'An ISO 4217 currency code',
  serialize: (value: unknown) => String(value),
  parseValue: parseCurrency,
  parseLiteral: (ast) => parseCurrency(literal(ast, 'CurrencyCode', [Kind.STRING])),
});

export const scalarResolvers = {
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  CurrencyCode: CurrencyCodeScalar,
};

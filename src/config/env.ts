import Value from 'typebox/value';
import type { JsonSchema } from './leaves.js';

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** The spellings of a boolean the environment may use, for error messages and docs. */
export const BOOLEAN_WORDS = 'true, false, 1, 0, yes or no';

/**
 * Turn an environment string into the value the leaf's schema asks for.
 *
 * A string that cannot be converted comes back unchanged, so validation reports it
 * with the key, the variable and the expected type instead of failing here without them.
 */
export function fromEnvString(schema: JsonSchema, raw: string): unknown {
  if (Array.isArray(schema.anyOf)) return firstMatch(schema.anyOf as JsonSchema[], raw);
  if ('const' in schema) return asLiteral(schema.const, raw);
  if (Array.isArray(schema.enum)) return schema.enum.find((item) => String(item) === raw) ?? raw;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return toNumber(raw);
    case 'boolean':
      return toBoolean(raw);
    case 'null':
      return raw.trim() === 'null' ? null : raw;
    case 'array':
      return toList(schema, raw);
    case 'object':
      return toJson(raw);
    default:
      // Strings, and schemas that accept anything, take the text as it is.
      return raw;
  }
}

function firstMatch(variants: readonly JsonSchema[], raw: string): unknown {
  for (const variant of variants) {
    const value = fromEnvString(variant, raw);
    if (Value.Check(variant, value)) return value;
  }
  return raw;
}

function asLiteral(literal: unknown, raw: string): unknown {
  if (typeof literal === 'number') return toNumber(raw);
  if (typeof literal === 'boolean') return toBoolean(raw);
  return raw;
}

function toNumber(raw: string): number | string {
  const text = raw.trim();
  return NUMERIC.test(text) ? Number(text) : raw;
}

function toBoolean(raw: string): boolean | string {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return raw;
}

/** Comma-separated and trimmed; empty entries are dropped, so an empty string is `[]`. */
function toList(schema: JsonSchema, raw: string): unknown {
  const items = (schema.items ?? {}) as JsonSchema;
  if (items.type === 'object' || items.type === 'array') return toJson(raw);
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => fromEnvString(items, item));
}

function toJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

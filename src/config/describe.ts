import type { JsonSchema } from './leaves.js';

/**
 * What a schema accepts, in words: `integer from 0 to 65535`, `one of "info", "debug"`,
 * `array of string`. Used after "expected" in errors and in the generated docs.
 */
export function describeType(schema: JsonSchema): string {
  if (Array.isArray(schema.anyOf)) return describeUnion(schema.anyOf as JsonSchema[]);
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return oneOf(schema.enum);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return withDetails(schema.type, numberBounds(schema));
    case 'string':
      return withDetails('string', stringRules(schema));
    case 'array':
      return withDetails(
        `array of ${describeType((schema.items ?? {}) as JsonSchema)}`,
        arrayRules(schema),
      );
    case undefined:
      return 'any value';
    default:
      return Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type);
  }
}

function describeUnion(variants: readonly JsonSchema[]): string {
  if (variants.every((variant) => 'const' in variant)) {
    return oneOf(variants.map((variant) => variant.const));
  }
  return variants.map(describeType).join(' or ');
}

function oneOf(values: readonly unknown[]): string {
  return `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}

function withDetails(name: string, details: readonly string[]): string {
  return details.length === 0 ? name : `${name} ${details.join(', ')}`;
}

function numberBounds(schema: JsonSchema): string[] {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = schema;
  const details: string[] = [];
  if (typeof min === 'number' && typeof max === 'number') details.push(`from ${min} to ${max}`);
  else if (typeof min === 'number') details.push(`>= ${min}`);
  else if (typeof max === 'number') details.push(`<= ${max}`);
  if (typeof xmin === 'number') details.push(`> ${xmin}`);
  if (typeof xmax === 'number') details.push(`< ${xmax}`);
  if (typeof schema.multipleOf === 'number') details.push(`multiple of ${schema.multipleOf}`);
  return details;
}

function stringRules(schema: JsonSchema): string[] {
  const details: string[] = [];
  if (typeof schema.minLength === 'number') details.push(`of at least ${schema.minLength} chars`);
  if (typeof schema.maxLength === 'number') details.push(`of at most ${schema.maxLength} chars`);
  if (typeof schema.format === 'string') details.push(`in format ${schema.format}`);
  if (typeof schema.pattern === 'string') details.push(`matching /${schema.pattern}/`);
  return details;
}

function arrayRules(schema: JsonSchema): string[] {
  const details: string[] = [];
  if (typeof schema.minItems === 'number') details.push(`with at least ${schema.minItems} items`);
  if (typeof schema.maxItems === 'number') details.push(`with at most ${schema.maxItems} items`);
  return details;
}

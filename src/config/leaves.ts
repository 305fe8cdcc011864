/**
 * Walking a configuration schema as plain JSON Schema: its branches (objects of named
 * keys) and its leaves (everything else, each settable by environment variables).
 */

/** A schema node seen as plain JSON Schema. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** An object schema whose keys are settings of their own. */
export interface BranchSchema extends JsonSchema {
  readonly properties: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
}

/** One setting that takes a single value, and the environment variables that set it. */
export interface ConfigLeaf {
  /** Path segments from the root, e.g. `['http', 'port']`. */
  readonly path: readonly string[];
  /** Dotted path, e.g. `http.port`. */
  readonly key: string;
  readonly schema: JsonSchema;
  /** `WHARF_<PATH>` first, then the leaf's `env` alias if it declares one. */
  readonly envNames: readonly string[];
}

/** Names the loader itself reads; no setting may take them. */
export const RESERVED_ENV_NAMES = ['WHARF_CONFIG', 'WHARF_ENV_FILE'] as const;

/**
 * An object with declared keys is a branch. One that accepts extra keys
 * (`additionalProperties`) is set as a whole, so it counts as a leaf.
 */
export function isBranch(schema: JsonSchema): schema is BranchSchema {
  return (
    schema.type === 'object' &&
    isRecord(schema.properties) &&
    (schema.additionalProperties === undefined || schema.additionalProperties === false)
  );
}

/** Every leaf of the schema, depth first in declaration order. */
export function configLeaves(schema: BranchSchema): ConfigLeaf[] {
  const leaves: ConfigLeaf[] = [];
  const visit = (node: BranchSchema, prefix: readonly string[]): void => {
    for (const [name, child] of Object.entries(node.properties)) {
      const path = [...prefix, name];
      if (isBranch(child)) {
        visit(child, path);
        continue;
      }
      const alias = typeof child.env === 'string' && child.env !== '' ? [child.env] : [];
      leaves.push({
        path,
        key: path.join('.'),
        schema: child,
        envNames: [envName(path), ...alias],
      });
    }
  };
  visit(schema, []);
  return leaves;
}

/** `['http', 'requestTimeoutMs']` → `WHARF_HTTP_REQUEST_TIMEOUT_MS`. */
export function envName(path: readonly string[]): string {
  return `WHARF_${path.map(upperSnake).join('_')}`;
}

/** `citiesUrl` → `CITIES_URL`, `apiURL` → `API_URL`, `s3Bucket` → `S3_BUCKET`. */
export function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Only literal objects merge key by key; arrays, class instances and the like replace. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

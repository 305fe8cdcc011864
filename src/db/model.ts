import { type Column, getTableColumns, getTableName, type Table } from 'drizzle-orm';
import { type TObject, type TSchema, Type } from 'typebox';
import { columnDescription, columnValueSchema } from './model-column.js';
import type { ColumnKey, ModelMode, ModelSchema } from './model-types.js';

export { described, descriptionOf } from './model-description.js';
export type {
  ColumnKey,
  ColumnValueSchema,
  ModelMode,
  ModelProperties,
  ModelSchema,
} from './model-types.js';

export interface ModelSchemaOptions<
  T extends Table,
  M extends ModelMode,
  P extends ColumnKey<T>,
  O extends ColumnKey<T>,
  Part extends boolean | readonly ColumnKey<T>[],
> {
  /**
   * `select` (default): a row as read — every column present, nullable columns may be null.
   * `insert`: a row to write — generated columns left out; nullable columns and those with
   * a default (serial, identity, `defaultNow()`) optional.
   */
  mode?: M;
  /** Only these columns. */
  pick?: readonly P[];
  /** Every column but these. */
  omit?: readonly O[];
  /** `true` makes every field optional (PATCH bodies); a list makes those fields optional. */
  partial?: Part;
  /** Description of the object itself. */
  description?: string;
  /** Set `false` to reject fields the table does not have. */
  additionalProperties?: boolean;
}

/**
 * Derive a TypeBox object schema from a Drizzle `pgTable`, for route validation and the
 * OpenAPI document. Field names are the table's property names; descriptions come from
 * `described(column, …)`. Column types map to JSON: integers → integer, text/varchar(n) →
 * string (maxLength n), timestamps → date-time strings, numeric and bigint → strings, json →
 * any value, enums → a union of literals, arrays → arrays; nullable columns → `T | null`.
 *
 * ```ts
 * const City = modelSchema(cities);                                  // response rows
 * const NewCity = modelSchema(cities, { mode: 'insert' });           // POST bodies
 * const CityPatch = modelSchema(cities, { mode: 'insert', omit: ['id'], partial: true });
 * ```
 */
export function modelSchema<
  T extends Table,
  const M extends ModelMode = 'select',
  const P extends ColumnKey<T> = ColumnKey<T>,
  const O extends ColumnKey<T> = never,
  const Part extends boolean | readonly ColumnKey<T>[] = false,
>(
  table: T,
  options: ModelSchemaOptions<T, M, P, O, Part> = {},
): ModelSchema<T, M, Exclude<P, O>, Part> {
  const mode: ModelMode = options.mode ?? 'select';
  const columns = getTableColumns(table) as Record<string, Column>;
  assertKnownKeys(table, columns, options.pick, 'pick');
  assertKnownKeys(table, columns, options.omit, 'omit');
  if (Array.isArray(options.partial)) assertKnownKeys(table, columns, options.partial, 'partial');

  const picked = options.pick ? new Set<string>(options.pick) : undefined;
  const omitted = new Set<string>(options.omit ?? []);
  const properties: Record<string, TSchema> = {};
  for (const [key, column] of Object.entries(columns)) {
    if (picked && !picked.has(key)) continue;
    if (omitted.has(key)) continue;
    if (mode === 'insert' && isGenerated(column)) continue;
    const optional = isPartial(options.partial, key) || (mode === 'insert' && mayOmit(column));
    const schema = fieldSchema(column);
    properties[key] = optional ? Type.Optional(schema) : schema;
  }

  const objectOptions: { description?: string; additionalProperties?: boolean } = {};
  if (options.description !== undefined) objectOptions.description = options.description;
  if (options.additionalProperties !== undefined) {
    objectOptions.additionalProperties = options.additionalProperties;
  }
  const result: TObject = Type.Object(properties, objectOptions);
  return result as unknown as ModelSchema<T, M, Exclude<P, O>, Part>;
}

/** A column's property schema: its value, `| null` when nullable, with its description. */
function fieldSchema(column: Column): TSchema {
  const value = columnValueSchema(column);
  const description = columnDescription(column);
  const annotation = description === undefined ? {} : { description };
  // TypeBox keeps its kind marker non-enumerable, so annotate the fresh schema in place.
  if (column.notNull) return Object.assign(value, annotation);
  return Object.assign(withNull(value), annotation);
}

/**
 * `T | null` as one schema with a type list, never `anyOf [T, null]`: Fastify's validator
 * coerces types, and inside `anyOf` it would turn `null` into `0` or `""` through the first
 * branch before the null branch is tried. With a type list, a value that already matches
 * one of the types is left alone.
 */
function withNull(value: TSchema): TSchema {
  const schema = value as Record<string, unknown>;
  if (Type.IsUnion(value)) return nullableLiterals(value.anyOf);
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] } as TSchema;
  // No type keyword (json columns): any JSON value, null included.
  return { ...schema } as TSchema;
}

/** A union of string literals (an enum column) as one `enum` that also admits null. */
function nullableLiterals(members: readonly TSchema[]): TSchema {
  const values = members.map((m) => (m as { const?: unknown }).const);
  return { type: ['string', 'null'], enum: [...values, null] } as unknown as TSchema;
}

/** The database fills it and refuses a value: a generated column or an ALWAYS identity. */
function isGenerated(column: Column): boolean {
  if (column.generatedIdentity?.type === 'always') return true;
  return column.generated !== undefined && column.generated.type !== 'byDefault';
}

function mayOmit(column: Column): boolean {
  return !column.notNull || column.hasDefault || column.generatedIdentity !== undefined;
}

function isPartial(partial: boolean | readonly string[] | undefined, key: string): boolean {
  return partial === true || (Array.isArray(partial) && partial.includes(key));
}

/** A misspelt key would silently widen or narrow an API; fail at definition time instead. */
function assertKnownKeys(
  table: Table,
  columns: Record<string, Column>,
  keys: readonly string[] | undefined,
  option: string,
): void {
  for (const key of keys ?? []) {
    if (!Object.hasOwn(columns, key)) {
      throw new TypeError(
        `modelSchema(${getTableName(table)}): ${option} names "${key}", which is not a column of the table`,
      );
    }
  }
}

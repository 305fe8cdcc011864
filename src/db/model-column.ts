import type { Column } from 'drizzle-orm';
import { type TSchema, Type } from 'typebox';
import { descriptionOf } from './model-description.js';

/** The run-time fields of a Drizzle pg-core column that the mapping reads. */
interface ColumnShape {
  readonly columnType: string;
  readonly enumValues?: readonly string[] | undefined;
  readonly length?: number | undefined;
  readonly dimensions?: number | undefined;
  readonly baseColumn?: Column | undefined;
}

const INT16 = { minimum: -32_768, maximum: 32_767 };
const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };
const SAFE_INT = { minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
// PostgreSQL's own literal syntax for integers and numerics, so a bad value is a 400, not a 500.
const INTEGER_TEXT = '^[-+]?[0-9]+$';
const NUMERIC_TEXT = '^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?$';

/**
 * The JSON schema of one column's value as it travels in JSON (never null: nullability is
 * the caller's concern). Types JSON cannot carry exactly — bigint, numeric, timestamps —
 * travel as strings.
 */
export function columnValueSchema(column: Column): TSchema {
  const c = column as unknown as ColumnShape;
  switch (c.columnType) {
    case 'PgSmallInt':
    case 'PgSmallSerial':
      return Type.Integer(INT16);
    case 'PgInteger':
    case 'PgSerial':
      return Type.Integer(INT32);
    case 'PgBigInt53':
    case 'PgBigSerial53':
      return Type.Integer(SAFE_INT);
    case 'PgReal':
    case 'PgDoublePrecision':
    case 'PgNumericNumber':
      return Type.Number();
    case 'PgBigInt64':
    case 'PgBigSerial64':
    case 'PgNumericBigInt':
      return Type.String({ pattern: INTEGER_TEXT });
    case 'PgNumeric':
      return Type.String({ pattern: NUMERIC_TEXT });
    case 'PgBoolean':
      return Type.Boolean();
    case 'PgText':
    case 'PgVarchar':
    case 'PgChar':
      return textSchema(c);
    case 'PgEnumColumn':
    case 'PgEnumObjectColumn':
      return literalUnion(c.enumValues ?? []);
    case 'PgUUID':
      return Type.String({ format: 'uuid' });
    case 'PgTimestamp':
    case 'PgTimestampString':
      return Type.String({ format: 'date-time' });
    case 'PgDate':
    case 'PgDateString':
      return Type.String({ format: 'date' });
    case 'PgTime':
    case 'PgInterval':
    case 'PgInet':
    case 'PgCidr':
    case 'PgMacaddr':
    case 'PgMacaddr8':
      return Type.String();
    case 'PgArray':
      return c.baseColumn
        ? Type.Array(columnValueSchema(c.baseColumn))
        : Type.Array(Type.Unknown());
    case 'PgVector':
    case 'PgHalfVector':
      return Type.Array(Type.Number(), dimensions(c.dimensions));
    default:
      // json, jsonb, custom and geometric types: any JSON value.
      return Type.Unknown();
  }
}

/** The description of a column; an array column falls back to its element's. */
export function columnDescription(column: Column): string | undefined {
  const own = descriptionOf(column);
  if (own !== undefined) return own;
  const base = (column as unknown as ColumnShape).baseColumn;
  return base ? columnDescription(base) : undefined;
}

function textSchema(c: ColumnShape): TSchema {
  if (c.enumValues && c.enumValues.length > 0) return literalUnion(c.enumValues);
  return c.length === undefined ? Type.String() : Type.String({ maxLength: c.length });
}

function literalUnion(values: readonly string[]): TSchema {
  return Type.Union(values.map((value) => Type.Literal(value)));
}

function dimensions(size: number | undefined) {
  return size === undefined ? {} : { minItems: size, maxItems: size };
}

import type { Column, Table } from 'drizzle-orm';
import type {
  TArray,
  TBoolean,
  TInteger,
  TLiteral,
  TNull,
  TNumber,
  TObject,
  TOptional,
  TSchema,
  TString,
  TUnion,
  TUnknown,
} from 'typebox';

/** Which side of the table a schema describes. */
export type ModelMode = 'select' | 'insert';

/** The property keys of a table's columns (the TypeScript names, not the SQL names). */
export type ColumnKey<T extends Table> = keyof T['_']['columns'] & string;

type ColumnOf<T extends Table, K extends ColumnKey<T>> = T['_']['columns'][K];

type IntegerColumnType =
  | 'PgSmallInt'
  | 'PgSmallSerial'
  | 'PgInteger'
  | 'PgSerial'
  | 'PgBigInt53'
  | 'PgBigSerial53';
type NumberColumnType = 'PgReal' | 'PgDoublePrecision' | 'PgNumericNumber';
type TextColumnType = 'PgText' | 'PgVarchar' | 'PgChar' | 'PgEnumColumn' | 'PgEnumObjectColumn';
type StringColumnType =
  | 'PgBigInt64'
  | 'PgBigSerial64'
  | 'PgNumericBigInt'
  | 'PgNumeric'
  | 'PgUUID'
  | 'PgTimestamp'
  | 'PgTimestampString'
  | 'PgDate'
  | 'PgDateString'
  | 'PgTime'
  | 'PgInterval'
  | 'PgInet'
  | 'PgCidr'
  | 'PgMacaddr'
  | 'PgMacaddr8';

type LiteralTuple<E extends readonly string[]> = E extends readonly [
  infer Head extends string,
  ...infer Rest extends readonly string[],
]
  ? [TLiteral<Head>, ...LiteralTuple<Rest>]
  : [];

/** Text with a closed set of values (`text({ enum })`, `pgEnum`) becomes a union of literals. */
type TextSchema<E> = E extends readonly string[]
  ? string extends E[number]
    ? TString
    : TUnion<LiteralTuple<E>>
  : TString;

/** The TypeBox type of a column's value, mirroring `columnValueSchema` at run time. */
export type ColumnValueSchema<C> = C extends Column
  ? C['_']['columnType'] extends IntegerColumnType
    ? TInteger
    : C['_']['columnType'] extends NumberColumnType
      ? TNumber
      : C['_']['columnType'] extends TextColumnType
        ? TextSchema<C['_']['enumValues']>
        : C['_']['columnType'] extends StringColumnType
          ? TString
          : C['_']['columnType'] extends 'PgBoolean'
            ? TBoolean
            : C['_']['columnType'] extends 'PgArray'
              ? TArray<ColumnValueSchema<C['_']['baseColumn']>>
              : C['_']['columnType'] extends 'PgVector' | 'PgHalfVector'
                ? TArray<TNumber>
                : TUnknown
  : TUnknown;

type IsNotNull<C> = C extends Column ? (C['_']['notNull'] extends true ? true : false) : false;

/** A column the database fills by itself: a generated column or `GENERATED ALWAYS AS IDENTITY`. */
type IsGenerated<C> = C extends Column
  ? C['_']['identity'] extends 'always'
    ? true
    : [C['_']['generated']] extends [undefined]
      ? false
      : C['_']['generated'] extends { type: 'byDefault' }
        ? false
        : true
  : false;

/** On insert, a nullable column or one with a default (serial, identity, defaultNow) may be left out. */
type MayOmitOnInsert<C> = C extends Column
  ? IsNotNull<C> extends false
    ? true
    : C['_']['hasDefault'] extends true
      ? true
      : C['_']['identity'] extends 'byDefault'
        ? true
        : false
  : false;

type WithNull<S> =
  S extends TUnion<infer Members> ? TUnion<[...Members, TNull]> : TUnion<[S & TSchema, TNull]>;

type NullableSchema<C> =
  IsNotNull<C> extends true ? ColumnValueSchema<C> : WithNull<ColumnValueSchema<C>>;

type PartialKeys<Part> = Part extends true
  ? string
  : Part extends readonly (infer K)[]
    ? K & string
    : never;

type IsOptional<C, K extends string, M extends ModelMode, Part> =
  K extends PartialKeys<Part> ? true : M extends 'insert' ? MayOmitOnInsert<C> : false;

/** Columns present in a schema of `mode`: inserts leave out what the database generates. */
export type ModeKeys<T extends Table, M extends ModelMode> = M extends 'insert'
  ? { [K in ColumnKey<T>]: IsGenerated<ColumnOf<T, K>> extends true ? never : K }[ColumnKey<T>]
  : ColumnKey<T>;

/** The properties of the schema `modelSchema` builds for these options. */
export type ModelProperties<
  T extends Table,
  M extends ModelMode,
  Keys extends ColumnKey<T>,
  Part,
> = {
  [K in Keys & ModeKeys<T, M>]: IsOptional<ColumnOf<T, K>, K, M, Part> extends true
    ? TOptional<NullableSchema<ColumnOf<T, K>>>
    : NullableSchema<ColumnOf<T, K>>;
};

/** The object schema `modelSchema` returns. */
export type ModelSchema<
  T extends Table,
  M extends ModelMode = 'select',
  Keys extends ColumnKey<T> = ColumnKey<T>,
  Part = false,
> = TObject<ModelProperties<T, M, Keys, Part>>;

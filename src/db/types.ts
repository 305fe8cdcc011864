/**
 * The shapes every database engine behind `wharf/db` provides. Application code sees only
 * these, so the same code and SQL run on PostgreSQL (postgres.js) and on embedded PGlite.
 *
 * Column values come back as the same JS types on both engines:
 * - int2, int4, oid, float4, float8: `number`
 * - int8 (bigint, bigserial, `count(*)`) and numeric: `string`, so no value ever loses
 *   precision; cast in SQL (`count(*)::int`) when a number is wanted
 * - timestamptz, timestamp, date: `Date`; json, jsonb: parsed values; bool: `boolean`
 * - bytea: `Buffer`; arrays: arrays of the above; everything else (uuid, interval …): `string`
 */

/** A parameterised statement: `text` holds `$1…$n`, `values` the bound values. Never concatenated. */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

export type Row = Record<string, unknown>;

/** Tagged-template query helpers, named like asyncpg's. Values are always bound parameters. */
export interface Queryable {
  /** All rows. */
  fetch<T extends Row = Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /** The first row, or null. */
  fetchrow<T extends Row = Row>(
    strings: TemplateStringsArray,
    ...values: unknown[]
  ): Promise<T | null>;
  /** The first column of the first row, or null. */
  fetchval<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T | null>;
  /** Run a statement; resolves to the number of rows it affected. */
  execute(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
}

/** Inside a transaction: the same helpers, and nested transactions become savepoints. */
export interface Transaction extends Queryable {
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

export type Engine = 'postgres' | 'pglite';

/** How busy the pool is right now (PGlite: a pool of one). */
export interface PoolState {
  /** Connections the pool may hold: statements and scopes that can run at once. */
  readonly size: number;
  /** Of those, the ones not running anything now. */
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

/** Told about every statement once it settled: how long it ran and whether it succeeded. */
export type QueryListener = (durationMs: number, ok: boolean) => void;

/**
 * A pool (or the embedded engine). Its own query helpers run each statement on any free
 * connection; `acquire` and `transaction` pin one connection for a whole scope.
 */
export interface Database extends Queryable {
  readonly engine: Engine;
  /** Hold one connection while `fn` runs (session settings, several reads); released when it settles. */
  acquire<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Run `fn` in a transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Cheap round trip, for readiness checks. */
  ping(): Promise<void>;
  /** Close every connection; later calls fail. */
  close(): Promise<void>;
  /** The pool's state now (metrics); absent on wrappers that do not expose it. */
  readonly pool?: PoolState;
  /**
   * Call `listener` after every statement (metrics); resolves to the function that removes
   * it. The time is the statement's own, without the wait for a connection.
   */
  onQuery?(listener: QueryListener): () => void;
}

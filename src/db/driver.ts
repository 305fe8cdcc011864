import type { Engine, Row, SqlQuery } from './types.js';

/** What one statement returned: its rows, and the rows it returned or affected. */
export interface QueryResult {
  rows: Row[] | unknown[][];
  count: number;
}

/** How rows come back: objects keyed by column, or arrays in column order. */
export type RowMode = 'object' | 'array';

/** A connection (or the pool) as the engines expose it; errors are the driver's own. */
export interface Session {
  run(query: SqlQuery, mode: RowMode): Promise<QueryResult>;
}

/** A session inside a transaction; a savepoint opens a nested one. */
export interface TxSession extends Session {
  savepoint<T>(fn: (tx: TxSession) => Promise<T>): Promise<T>;
}

/**
 * One database engine behind `Database`. Drivers neither bound concurrency nor translate
 * errors: the database layer above does both the same way for every engine.
 */
export interface Driver extends Session {
  readonly engine: Engine;
  /** How many scopes and queries the engine can run at once. */
  readonly concurrency: number;
  /** Where the server is, for span attributes (never credentials). */
  readonly server: { address?: string; port?: number; database?: string };
  /** Hold one connection while `fn` runs. */
  reserve<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /** BEGIN, run `fn`, COMMIT; ROLLBACK and rethrow when it throws or a statement failed. */
  begin<T>(fn: (tx: TxSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The smallest logger the database layer writes to; a pino logger fits. */
export interface DbLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

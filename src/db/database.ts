import type { TracerProvider } from '@opentelemetry/api';
import { Admission } from './admission.js';
import { type DbConfig, resolveDbConfig } from './config.js';
import type { DbLogger, Driver, QueryResult, RowMode, Session, TxSession } from './driver.js';
import { isUnavailable, toDatabaseError } from './errors.js';
import { pgliteDriver } from './pglite.js';
import { postgresDriver } from './postgres.js';
import { buildQuery } from './sql.js';
import { type QueryTracing, queryTracing } from './tracing.js';
import type {
  Database,
  Engine,
  PoolState,
  Queryable,
  QueryListener,
  Row,
  SqlQuery,
  Transaction,
} from './types.js';

export interface DatabaseOptions {
  /** Where availability changes and notices are written (a service's `log` fits). */
  logger?: DbLogger;
  /** Spans go here instead of the globally registered provider. */
  tracerProvider?: TracerProvider;
}

/**
 * Open the database the `db` configuration names: PostgreSQL through a postgres.js pool
 * when `url` is set, else embedded PGlite (in memory, or in `dataDir`). Nothing connects
 * until the first query.
 */
export function createDatabase(
  config: Partial<DbConfig> = {},
  options: DatabaseOptions = {},
): Database {
  const resolved = resolveDbConfig(config);
  const driver = resolved.url ? postgresDriver(resolved, options.logger) : pgliteDriver(resolved);
  return new PooledDatabase(driver, resolved, options);
}

type Exec = (query: SqlQuery, mode: RowMode) => Promise<QueryResult>;

/** Whether a scope's helpers may still be used: they die with the scope. */
interface ScopeState {
  open: boolean;
}

class PooledDatabase implements Database {
  readonly engine: Engine;
  readonly fetch: Queryable['fetch'];
  readonly fetchrow: Queryable['fetchrow'];
  readonly fetchval: Queryable['fetchval'];
  readonly execute: Queryable['execute'];
  readonly #driver: Driver;
  readonly #admission: Admission;
  readonly #tracing: QueryTracing;
  readonly #log: DbLogger | undefined;
  readonly #closeTimeoutMs: number;
  readonly #queryListeners = new Set<QueryListener>();
  #down = false;
  #closing: Promise<void> | undefined;

  constructor(driver: Driver, config: DbConfig, options: DatabaseOptions) {
    this.engine = driver.engine;
    this.#driver = driver;
    this.#log = options.logger;
    this.#closeTimeoutMs = config.connectTimeoutMs;
    this.#admission = new Admission({
      permits: driver.concurrency,
      maxQueued: config.maxQueued,
      timeoutMs: config.acquireTimeoutMs,
    });
    this.#tracing = queryTracing(spanAttributes(driver), options.tracerProvider);
    const pooled = queryMethods((query, mode) =>
      this.#traced(query, () =>
        this.#admission.run(() => this.#timed(() => driver.run(query, mode))),
      ),
    );
    this.fetch = pooled.fetch;
    this.fetchrow = pooled.fetchrow;
    this.fetchval = pooled.fetchval;
    this.execute = pooled.execute;
  }

  acquire<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.#admission.run(() =>
      this.#scope(
        (body) => this.#driver.reserve(body),
        (session: Session) => this.#within((state) => fn(this.#view(session, state))),
      ),
    );
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#admission.run(() => this.#transaction((body) => this.#driver.begin(body), fn));
  }

  async ping(): Promise<void> {
    await this.fetchval`select 1`;
  }

  get pool(): PoolState {
    const size = this.#driver.concurrency;
    return { size, idle: size - this.#admission.inFlight, waiting: this.#admission.queued };
  }

  onQuery(listener: QueryListener): () => void {
    this.#queryListeners.add(listener);
    return () => this.#queryListeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#admission.close();
      // Scopes already running may finish, for a bounded time, before connections go.
      await withTimeout(this.#admission.idle(), this.#closeTimeoutMs);
      await this.#driver.close();
    })();
    return this.#closing;
  }

  #transaction<T>(
    open: (body: (tx: TxSession) => Promise<T>) => Promise<T>,
    fn: (tx: Transaction) => Promise<T>,
  ): Promise<T> {
    return this.#scope(open, (tx: TxSession) =>
      this.#within((state) => fn(this.#transactionView(tx, state))),
    );
  }

  #transactionView(tx: TxSession, state: ScopeState): Transaction {
    return {
      ...this.#view(tx, state),
      transaction: <T>(fn: (inner: Transaction) => Promise<T>): Promise<T> => {
        if (!state.open) return Promise.reject(finishedError());
        return this.#transaction((body) => tx.savepoint(body), fn);
      },
    };
  }

  /** Query helpers bound to one connection of a scope. */
  #view(session: Session, state: ScopeState): Queryable {
    return queryMethods((query, mode) => {
      if (!state.open) return Promise.reject(finishedError());
      return this.#traced(query, () => this.#timed(() => session.run(query, mode)));
    });
  }

  async #within<T>(fn: (state: ScopeState) => Promise<T>): Promise<T> {
    const state: ScopeState = { open: true };
    try {
      return await fn(state);
    } finally {
      state.open = false;
    }
  }

  /**
   * Open a scope through the driver. What `body` throws (the caller's own errors, or query
   * errors already translated) passes through as it is; anything else came from the
   * driver (BEGIN, COMMIT, a lost connection) and is translated here.
   */
  async #scope<S, T>(
    open: (body: (session: S) => Promise<T>) => Promise<T>,
    body: (session: S) => Promise<T>,
  ): Promise<T> {
    let own: { error: unknown } | undefined;
    try {
      return await open(async (session) => {
        try {
          return await body(session);
        } catch (err) {
          own = { error: err };
          throw err;
        }
      });
    } catch (err) {
      if (own && own.error === err) throw err;
      throw this.#translate(err);
    }
  }

  #traced(query: SqlQuery, run: () => Promise<QueryResult>): Promise<QueryResult> {
    return this.#tracing.trace(
      query,
      async () => {
        try {
          const result = await run();
          if (this.#down) this.#markUp();
          return result;
        } catch (err) {
          throw this.#translate(err);
        }
      },
      countOf,
    );
  }

  /** Time the statement for the query listeners; without listeners it only runs it. */
  async #timed(run: () => Promise<QueryResult>): Promise<QueryResult> {
    if (this.#queryListeners.size === 0) return run();
    const started = performance.now();
    let ok = false;
    try {
      const result = await run();
      ok = true;
      return result;
    } finally {
      const ms = performance.now() - started;
      for (const listener of this.#queryListeners) listener(ms, ok);
    }
  }

  #translate(err: unknown): unknown {
    const translated = toDatabaseError(err);
    if (!this.#down && !this.#closing && isUnavailable(translated)) {
      this.#down = true;
      this.#log?.warn({ err: translated.cause ?? translated }, 'database unavailable');
    }
    return translated;
  }

  #markUp(): void {
    this.#down = false;
    this.#log?.info({ engine: this.engine }, 'database available again');
  }
}

function queryMethods(exec: Exec): Queryable {
  return {
    async fetch<T extends Row = Row>(strings: TemplateStringsArray, ...values: unknown[]) {
      const { rows } = await exec(buildQuery(strings, values), 'object');
      return rows as T[];
    },
    async fetchrow<T extends Row = Row>(strings: TemplateStringsArray, ...values: unknown[]) {
      const { rows } = await exec(buildQuery(strings, values), 'object');
      return (rows[0] as T | undefined) ?? null;
    },
    async fetchval<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]) {
      // Array rows: the first column even when two columns share a name.
      const { rows } = await exec(buildQuery(strings, values), 'array');
      const first = rows[0] as unknown[] | undefined;
      return (first?.[0] as T | undefined) ?? null;
    },
    async execute(strings: TemplateStringsArray, ...values: unknown[]) {
      const { count } = await exec(buildQuery(strings, values), 'object');
      return count;
    },
  };
}

function countOf(result: QueryResult): number {
  return result.count;
}

function spanAttributes(driver: Driver) {
  const { address, port, database } = driver.server;
  return {
    'db.system': 'postgresql',
    ...(address ? { 'server.address': address } : {}),
    ...(port ? { 'server.port': port } : {}),
    ...(database ? { 'db.name': database } : {}),
  };
}

function finishedError(): Error {
  return new Error('This database scope has already finished; use it only inside its callback');
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import postgres from 'postgres';
import type { DbConfig } from './config.js';
import type { DbLogger, Driver, QueryResult, RowMode, TxSession } from './driver.js';
import type { SqlQuery } from './types.js';

type Sql = postgres.Sql | postgres.ReservedSql | postgres.TransactionSql;
// biome-ignore lint/suspicious/noExplicitAny: postgres.js types its parameters per custom type map
type Params = any[];

/** PostgreSQL through a postgres.js pool of `poolSize` connections. */
export function postgresDriver(config: DbConfig, log?: DbLogger): Driver {
  const pool = postgres(config.url, {
    max: config.poolSize,
    idle_timeout: config.idleTimeoutMs > 0 ? config.idleTimeoutMs / 1000 : undefined,
    connect_timeout: config.connectTimeoutMs / 1000,
    prepare: true,
    connection:
      config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {},
    onnotice: (notice) => log?.debug({ notice: notice.message }, 'database notice'),
  });

  return {
    engine: 'postgres',
    concurrency: config.poolSize,
    server: serverOf(config.url),
    run: (query, mode) => run(pool, query, mode),
    async reserve(fn) {
      const conn = await pool.reserve();
      try {
        return await fn({ run: (query, mode) => run(conn, query, mode) });
      } finally {
        conn.release();
      }
    },
    begin: <T>(fn: (tx: TxSession) => Promise<T>) =>
      pool.begin((tx) => fn(txSession(tx))) as Promise<T>,
    // Let running statements finish, but never wait longer than a connect timeout for it.
    close: () => pool.end({ timeout: config.connectTimeoutMs / 1000 }),
  };
}

function txSession(tx: postgres.TransactionSql): TxSession {
  return {
    run: (query, mode) => run(tx, query, mode),
    savepoint: <T>(fn: (inner: TxSession) => Promise<T>) =>
      tx.savepoint((sp) => fn(txSession(sp))) as Promise<T>,
  };
}

async function run(sql: Sql, query: SqlQuery, mode: RowMode): Promise<QueryResult> {
  // `unsafe` only means "raw statement text": the values are still bound parameters.
  const pending = sql.unsafe(query.text, query.values as Params, { prepare: true });
  const rows = mode === 'array' ? await pending.values() : await pending;
  return { rows: rows as QueryResult['rows'], count: rows.count ?? rows.length };
}

function serverOf(url: string): Driver['server'] {
  try {
    const parsed = new URL(url);
    return {
      address: parsed.hostname || undefined,
      port: parsed.port ? Number(parsed.port) : 5432,
      database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    };
  } catch {
    return {};
  }
}

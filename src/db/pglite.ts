import type { PGlite } from '@electric-sql/pglite';
import { messageOf } from '../errors/index.js';
import type { DbConfig } from './config.js';
import type { Driver, QueryResult, RowMode, Session, TxSession } from './driver.js';
import type { SqlQuery } from './types.js';

/** The code of the error every query gets when the embedded engine could not start. */
export const PGLITE_START_FAILED = 'PGLITE_START_FAILED';

const INT8 = 20;
const BYTEA = 17;
const JSON_OID = 114;
const JSONB_OID = 3802;

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) in memory or in `dataDir`. It is one
 * connection: the database layer admits one scope or query at a time, which is what
 * makes the hand-written BEGIN/SAVEPOINT here safe.
 */
export function pgliteDriver(config: DbConfig): Driver {
  // Started by the first query, like a pool's first connection.
  let started: Promise<PGlite> | undefined;
  const ready = () => {
    started ??= open(config.dataDir).catch((err: unknown) => {
      throw startFailed(err);
    });
    return started;
  };

  const session: Session = { run: async (query, mode) => run(await ready(), query, mode) };
  return {
    engine: 'pglite',
    concurrency: 1,
    server: {},
    run: session.run,
    reserve: (fn) => fn(session),
    begin: async (fn) => scope(await ready(), fn, undefined, { next: 0 }),
    async close() {
      const pg = await started?.catch(() => undefined);
      if (pg && !pg.closed) await pg.close();
    },
  };
}

/** A failed start makes the database unavailable, as a refused connection would. */
function startFailed(err: unknown): Error {
  const message = messageOf(err);
  return Object.assign(new Error(`PGlite did not start: ${message}`, { cause: err }), {
    code: PGLITE_START_FAILED,
  });
}

// A pristine in-memory cluster, dumped once per process: starting from it skips initdb,
// which is most of PGlite's start-up (tests open many in-memory databases).
let memoryTemplate: Promise<Blob | undefined> | undefined;

async function open(dataDir: string): Promise<PGlite> {
  // Loaded on demand: services on PostgreSQL never pay for the WebAssembly module.
  const { PGlite } = await import('@electric-sql/pglite');
  const start = async (dir: string, loadDataDir?: Blob) => {
    const pg = new PGlite(dir, {
      parsers: PARSERS,
      serializers: SERIALIZERS,
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    await pg.waitReady;
    return pg;
  };
  if (dataDir) return start(dataDir);
  const template = await memoryTemplate;
  if (template) return start('memory://', template);
  const pg = await start('memory://');
  memoryTemplate ??= pg.dumpDataDir('gzip').catch(() => undefined);
  // Finish the dump before anyone writes to this instance.
  await memoryTemplate;
  return pg;
}

// The same JS types as postgres.js: int8 as a string (no silent precision loss), bytea as
// a Buffer.
const PARSERS = {
  [INT8]: (text: string) => text,
  [BYTEA]: (text: string) => Buffer.from(text.slice(2), 'hex'),
};

// A value bound as json or jsonb is encoded as JSON, a string included (a JSON string), as
// postgres.js does; PGlite alone would send a string as the document's text. SQL that
// holds JSON text casts it through text on both engines: `${text}::text::jsonb`.
const toJson = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const SERIALIZERS = { [JSON_OID]: toJson, [JSONB_OID]: toJson };

async function run(pg: PGlite, query: SqlQuery, mode: RowMode): Promise<QueryResult> {
  try {
    const result = await pg.query(query.text, query.values as unknown[], { rowMode: mode });
    const rows = result.rows as QueryResult['rows'];
    return { rows, count: result.rowCount ?? result.affectedRows ?? 0 };
  } catch (err) {
    throw withoutValues(err);
  }
}

/**
 * One transaction level. Like postgres.js, a statement that failed inside the scope fails
 * the whole scope even if `fn` caught it: the server has aborted the transaction anyway.
 */
async function scope<T>(
  pg: PGlite,
  fn: (tx: TxSession) => Promise<T>,
  savepoint: string | undefined,
  counter: { next: number },
): Promise<T> {
  let failure: { error: unknown } | undefined;
  const tx: TxSession = {
    async run(query, mode) {
      try {
        return await run(pg, query, mode);
      } catch (err) {
        failure ??= { error: err };
        throw err;
      }
    },
    savepoint: (inner) => scope(pg, inner, `s${counter.next++}`, counter),
  };
  await pg.query(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
  let result: T;
  try {
    result = await fn(tx);
    if (failure) throw failure.error;
  } catch (err) {
    await pg.query(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK');
    throw err;
  }
  await pg.query(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
  return result;
}

// PGlite attaches the bound values to its errors; they must not reach logs or traces.
function withoutValues(err: unknown): unknown {
  if (err && typeof err === 'object') {
    const e = err as { params?: unknown; queryOptions?: unknown };
    delete e.params;
    delete e.queryOptions;
  }
  return err;
}

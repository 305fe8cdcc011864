import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  createDatabase,
  type Database,
  ident,
  migrate,
  type Queryable,
  type QueryListener,
  type Row,
  readMigrations,
  type Transaction,
} from '../db/index.js';
import { DatabaseUnavailableError } from '../errors/index.js';

export interface TestDatabaseOptions {
  /** The migrations folder (`NNNN_name.sql`) every fresh database is migrated with. */
  migrations: string;
  /**
   * PostgreSQL server to create the test databases on; the harness connects to the
   * database this URL names to run CREATE DATABASE and DROP DATABASE. Defaults to
   * `DATABASE_URL`; empty (or no `DATABASE_URL`) uses embedded PGlite.
   */
  url?: string;
}

export interface TestDatabase {
  /** A migrated database no other test sees; its rows, schema and sequences are its own. */
  readonly db: Database;
  /** Connection URL of this database on PostgreSQL (for a child process); undefined on PGlite. */
  readonly url: string | undefined;
  /**
   * Release the database: on PostgreSQL it is dropped, on PGlite the engine goes back for
   * the next test. `db` refuses queries afterwards. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test.
 *
 * - PostgreSQL: the migrations are applied once to a template database
 *   (`wharf_tpl_<folder>_<content>`, kept on the server and rebuilt when a migration
 *   changes); each test gets `CREATE DATABASE test_<random> TEMPLATE …`, dropped on close.
 * - PGlite: starting an engine takes seconds, so engines are kept in the process and
 *   reused: each test gets one whose schemas were all dropped and which was migrated
 *   again, which is exactly a freshly migrated database (sequences restart, rows that
 *   migrations insert are back, tables a test created are gone).
 *
 * ```ts
 * let t: TestDatabase;
 * beforeEach(async () => { t = await testDatabase({ migrations: 'migrations' }); });
 * afterEach(() => t.close());
 * ```
 */
export function testDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const url = options.url ?? process.env.DATABASE_URL ?? '';
  const dir = resolve(options.migrations);
  return url ? postgresTestDatabase(url, dir) : pgliteTestDatabase(dir);
}

// --- PGlite ---------------------------------------------------------------------------

interface IdleEngine {
  readonly engine: Database;
  readonly timer: NodeJS.Timeout;
}

// Engines no test holds right now. Module state on purpose: it is what lets the tests of
// one file (one process) share the seconds an engine takes to start.
const idleEngines: IdleEngine[] = [];
/** An engine left unused this long is closed, so none outlives the tests by much. */
const ENGINE_IDLE_MS = 5_000;

async function pgliteTestDatabase(dir: string): Promise<TestDatabase> {
  const reused = takeIdleEngine();
  const engine = reused ?? createDatabase({ url: '' });
  try {
    if (reused) await wipe(engine);
    await migrate(engine, { dir });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const lease = new LeasedDatabase(engine);
  let closing: Promise<void> | undefined;
  return {
    db: lease,
    url: undefined,
    close: () => {
      closing ??= lease.close().then(() => parkEngine(engine));
      return closing;
    },
  };
}

function takeIdleEngine(): Database | undefined {
  const idle = idleEngines.pop();
  if (idle) clearTimeout(idle.timer);
  return idle?.engine;
}

function parkEngine(engine: Database): void {
  const idle: IdleEngine = {
    engine,
    timer: setTimeout(() => {
      idleEngines.splice(idleEngines.indexOf(idle), 1);
      // Nothing waits on this close; a failure only means the engine is gone already.
      engine.close().catch(() => undefined);
    }, ENGINE_IDLE_MS),
  };
  // An open engine may hold timers of its own that keep the process alive; this one must
  // not add to them, only end them.
  idle.timer.unref();
  idleEngines.push(idle);
}

/** Back to an empty database: session state reset, every schema of the last test dropped. */
async function wipe(engine: Database): Promise<void> {
  await engine.acquire(async (q) => {
    await q.execute`discard all`;
    const schemas = await q.fetch<{ name: string }>`
      select nspname as name from pg_namespace
      where nspname !~ '^pg_' and nspname <> 'information_schema'`;
    for (const { name } of schemas) await q.execute`drop schema ${ident(name)} cascade`;
    await q.execute`create schema public`;
  });
}

/**
 * A test's hold on a shared engine. Closing it (as a service's stop hook does) ends the
 * hold, not the engine, which the next test reuses.
 */
class LeasedDatabase implements Database {
  readonly engine: Database['engine'];
  readonly #inner: Database;
  #open = true;

  constructor(inner: Database) {
    this.#inner = inner;
    this.engine = inner.engine;
  }

  fetch<T extends Row = Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> {
    return this.#guard(() => this.#inner.fetch<T>(strings, ...values));
  }

  fetchrow<T extends Row = Row>(
    strings: TemplateStringsArray,
    ...values: unknown[]
  ): Promise<T | null> {
    return this.#guard(() => this.#inner.fetchrow<T>(strings, ...values));
  }

  fetchval<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T | null> {
    return this.#guard(() => this.#inner.fetchval<T>(strings, ...values));
  }

  execute(strings: TemplateStringsArray, ...values: unknown[]): Promise<number> {
    return this.#guard(() => this.#inner.execute(strings, ...values));
  }

  acquire<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.#guard(() => this.#inner.acquire(fn));
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#guard(() => this.#inner.transaction(fn));
  }

  ping(): Promise<void> {
    return this.#guard(() => this.#inner.ping());
  }

  // Passed through, so a service under test reports its database in its metrics.
  get pool(): Database['pool'] {
    return this.#inner.pool;
  }

  onQuery(listener: QueryListener): () => void {
    return this.#inner.onQuery?.(listener) ?? (() => {});
  }

  async close(): Promise<void> {
    this.#open = false;
  }

  #guard<T>(run: () => Promise<T>): Promise<T> {
    // The same error a closed pool gives.
    if (!this.#open) return Promise.reject(new DatabaseUnavailableError('Database is closed'));
    return run();
  }
}

// --- PostgreSQL -----------------------------------------------------------------------

// Templates this process has seen ready, by server and name: checked once per process.
const readyTemplates = new Map<string, Promise<string>>();
const admins = new Map<string, Database>();
const ADMIN_IDLE_MS = 1_000;

async function postgresTestDatabase(url: string, dir: string): Promise<TestDatabase> {
  const template = await templateFor(url, dir);
  const name = `test_${randomBytes(8).toString('hex')}`;
  await adminFor(url).execute`create database ${ident(name)} template ${ident(template)}`;
  const databaseUrl = withDatabaseName(url, name);
  const db = createDatabase({ url: databaseUrl });
  let closing: Promise<void> | undefined;
  return {
    db,
    url: databaseUrl,
    close: () => {
      closing ??= (async () => {
        await db.close();
        // FORCE: a connection the test left open must not keep its database alive.
        await adminFor(url).execute`drop database if exists ${ident(name)} with (force)`;
      })();
      return closing;
    },
  };
}

/** The name of the migrated template for `dir` on this server, built when missing. */
async function templateFor(url: string, dir: string): Promise<string> {
  const files = await readMigrations(dir);
  const content = files.map((file) => `${file.version}:${file.checksum}`).join('\n');
  // One member of the folder's family per content: a changed migration gets a new
  // template, and the family's older ones are dropped when it is built.
  const family = templateFamily(dir);
  const name = `${family}${shortHash(content, 16)}`;
  const key = `${url}\n${name}`;
  let ready = readyTemplates.get(key);
  if (!ready) {
    ready = buildTemplate(url, dir, family, name);
    readyTemplates.set(key, ready);
    ready.catch(() => readyTemplates.delete(key));
  }
  return ready;
}

async function buildTemplate(
  url: string,
  dir: string,
  family: string,
  name: string,
): Promise<string> {
  await withAdmin(url, (admin) =>
    admin.acquire(async (q) => {
      // Parallel test processes build each template once: the others wait here, then find it.
      await q.execute`select pg_advisory_lock(hashtext(${name}))`;
      try {
        // `is_template` is set last, so it also says the migrations all went through.
        const complete = await q.fetchval<boolean>`
          select datistemplate from pg_database where datname = ${name}`;
        if (complete === true) return;
        if (complete === false) await q.execute`drop database ${ident(name)} with (force)`;
        await q.execute`create database ${ident(name)}`;
        try {
          await migrateDatabase(withDatabaseName(url, name), dir);
        } catch (error) {
          await q.execute`drop database ${ident(name)} with (force)`;
          throw error;
        }
        await q.execute`alter database ${ident(name)} is_template true`;
        await dropOlderTemplates(q, family, name);
      } finally {
        await q.execute`select pg_advisory_unlock(hashtext(${name}))`;
      }
    }),
  );
  return name;
}

async function migrateDatabase(url: string, dir: string): Promise<void> {
  const db = createDatabase({ url, poolSize: 1 });
  try {
    await migrate(db, { dir });
  } finally {
    await db.close();
  }
}

/**
 * Drop every template built for the migrations in `dir` on this server. For tests whose
 * migrations live in temporary folders, whose templates nothing would reuse.
 * @internal not part of `wharf/testing`
 */
export async function dropTemplates(url: string, dir: string): Promise<void> {
  const family = templateFamily(resolve(dir));
  for (const key of readyTemplates.keys()) {
    if (key.startsWith(`${url}\n${family}`)) readyTemplates.delete(key);
  }
  await withAdmin(url, (admin) => admin.acquire((q) => dropOlderTemplates(q, family, '')));
}

/** One family per folder, so a folder's outdated templates can be found and dropped. */
function templateFamily(dir: string): string {
  return `wharf_tpl_${shortHash(dir, 8)}_`;
}

/** Templates of earlier versions of the same migrations; one still being cloned is left. */
async function dropOlderTemplates(q: Queryable, family: string, keep: string): Promise<void> {
  const older = await q.fetch<{ name: string }>`
    select datname as name from pg_database
    where starts_with(datname, ${family}) and datname <> ${keep}`;
  for (const { name } of older) {
    try {
      await q.execute`alter database ${ident(name)} is_template false`;
      await q.execute`drop database ${ident(name)}`;
    } catch {
      // In use by another test run: it goes with the next rebuild.
    }
  }
}

/**
 * The connection that creates and drops the tests' databases, shared by the tests of the
 * process (a connection per test would double the cost). It closes itself once idle for
 * ADMIN_IDLE_MS, so it does not outlive the tests.
 */
function adminFor(url: string): Database {
  let admin = admins.get(url);
  if (!admin) {
    admin = createDatabase({ url, poolSize: 2, idleTimeoutMs: ADMIN_IDLE_MS });
    admins.set(url, admin);
  }
  return admin;
}

/** A connection of its own for building a template, which holds it for the whole build. */
async function withAdmin<T>(url: string, fn: (admin: Database) => Promise<T>): Promise<T> {
  const admin = createDatabase({ url, poolSize: 1 });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.href;
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, ident, migrate, sql } from 'wharf/db';
import { ensureMessagingTables } from 'wharf/messaging';
import { USERS_MIGRATIONS } from '../examples/users/service.js';

/** Rows the database scenario seeds; requests read one of them by primary key. */
export const SEED_USERS = 10_000;
const BATCH = 1_000;

/**
 * The seeded user with id `id` (ids are given in insertion order, from 1). Every tenth has
 * no city and no role, so reading it calls no other service.
 */
export function seedUser(id: number) {
  const alone = id % 10 === 0;
  return {
    id,
    create_time: new Date(Date.UTC(2024, 0, 1) + id * 1000).toISOString(),
    name: `User ${id}`,
    age: 18 + (id % 60),
    sex: (['female', 'male', 'other'] as const)[id % 3] ?? 'other',
    city_id: alone ? null : 1 + (id % 8),
    role_id: alone ? null : 1 + (id % 3),
  };
}

export interface BenchDatabase {
  /** Connection URL of the benchmark's own database. */
  readonly url: string;
  /** The server's version, e.g. `15.14`. */
  readonly serverVersion: string;
  /** Drop it; the servers using it must have stopped. */
  drop(): Promise<void>;
}

/**
 * A database of the benchmark's own on the server at `serverUrl`, with the users example's
 * migrations applied and SEED_USERS users, so nothing else on the server is touched and
 * dropping it cleans up everything.
 */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `wharf_bench_${randomBytes(6).toString('hex')}`;
  const admin = createDatabase({ url: serverUrl, poolSize: 1 });
  let serverVersion: string;
  try {
    serverVersion = (await admin.fetchval<string>`show server_version`) ?? 'unknown';
    await admin.execute`create database ${ident(name)}`;
  } catch (error) {
    await admin.close();
    throw new Error(
      `Cannot create the benchmark database on ${redact(serverUrl)}: ${messageOf(error)}\n` +
        'Start PostgreSQL (bash .ci/postgres.sh), set DATABASE_URL or --database-url, or pass --no-db.',
    );
  }
  const url = withDatabaseName(serverUrl, name);
  const drop = async () => {
    try {
      await admin.execute`drop database if exists ${ident(name)} with (force)`;
    } finally {
      await admin.close();
    }
  };
  try {
    const db = createDatabase({ url, poolSize: 1 });
    try {
      await migrate(db, { dir: USERS_MIGRATIONS });
      // The outbox the bare servers' POST /users writes to, whichever server starts first.
      await ensureMessagingTables(db);
      await seed(db);
    } finally {
      await db.close();
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, serverVersion: serverVersion.split(' ')[0] ?? serverVersion, drop };
}

async function seed(db: Database): Promise<void> {
  for (let first = 1; first <= SEED_USERS; first += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, SEED_USERS - first + 1) }, (_, i) => {
      const u = seedUser(first + i);
      return sql`(${u.create_time}, ${u.name}, ${u.age}, ${u.sex}, ${u.city_id}, ${u.role_id})`;
    });
    await db.execute`
      insert into users (create_time, name, age, sex, city_id, role_id) values ${sql.join(rows)}`;
  }
  await db.execute`analyze users`;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.href;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(invalid URL)';
  }
}

function messageOf(error: unknown): string {
  const cause =
    error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

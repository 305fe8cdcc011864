import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createDatabase, type Database } from 'wharf/db';

/** A fresh migrations folder holding `files` (name → content); removed by `cleanup`. */
export async function migrationsDir(files: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-migrations-'));
  await writeFiles(dir, files);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
}

/** Starting PGlite is slow on a busy machine: open it once per file and reset between tests. */
export const PGLITE_START_MS = 120_000;

/** An in-memory PGlite database, started. */
export async function memoryDatabase(): Promise<Database> {
  const db = createDatabase({ url: '' });
  await db.ping();
  return db;
}

/**
 * A database of its own on the PostgreSQL server of DATABASE_URL, so dropping schemas
 * never touches what other test files use; `drop` removes it.
 */
export async function scratchPostgres(adminUrl: string) {
  const name = `wharf_mig_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A started database for one test file, and how to let it go. */
export interface EngineUnderTest {
  readonly name: 'pglite' | 'postgres';
  start(): Promise<{ db: Database; stop(): Promise<void> }>;
}

const adminUrl = process.env.DATABASE_URL;

/** PGlite always; a scratch database on the real PostgreSQL too when DATABASE_URL is set. */
export const enginesUnderTest: EngineUnderTest[] = [
  {
    name: 'pglite',
    async start() {
      const db = await memoryDatabase();
      return { db, stop: () => db.close() };
    },
  },
  ...(adminUrl
    ? [
        {
          name: 'postgres' as const,
          async start() {
            const scratch = await scratchPostgres(adminUrl);
            const db = createDatabase({ url: scratch.url });
            return {
              db,
              async stop() {
                await db.close();
                await scratch.drop();
              },
            };
          },
        },
      ]
    : []),
];

/** Drop everything the previous test created (the migrate_record table too). */
export async function resetSchema(db: Database): Promise<void> {
  await db.execute`drop schema public cascade`;
  await db.execute`create schema public`;
}

/** Names of the tables in the public schema, sorted. */
export async function tableNames(db: Database): Promise<string[]> {
  const rows = await db.fetch<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' order by table_name`;
  return rows.map((row) => row.name);
}

export async function columnNames(db: Database, table: string): Promise<string[]> {
  const rows = await db.fetch<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} order by ordinal_position`;
  return rows.map((row) => row.name);
}

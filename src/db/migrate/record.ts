import type { Queryable } from '../types.js';
import type { MigrationFile } from './files.js';

/** A row of `migrate_record`: one applied migration. */
export interface MigrationRecord {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly appliedBy: string;
}

interface RecordRow extends Record<string, unknown> {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
  applied_by: string;
}

/**
 * Serialise every migration run against one database: each migration's transaction takes
 * this transaction-scoped advisory lock first, so concurrent `migrate up` processes queue
 * here and each finds the work of the one before it recorded. The key is arbitrary but fixed.
 */
export async function lockMigrations(tx: Queryable): Promise<void> {
  await tx.execute`select pg_advisory_xact_lock(7357011240911002113)`;
}

/** Create `migrate_record` when missing; call inside a transaction holding the lock. */
export async function ensureRecordTable(tx: Queryable): Promise<void> {
  await tx.execute`
    create table if not exists migrate_record (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now(),
      applied_by text not null
    )`;
}

/** Whether `migrate_record` exists, without creating it (status is read-only). */
export async function recordTableExists(q: Queryable): Promise<boolean> {
  return (await q.fetchval<boolean>`select to_regclass('migrate_record') is not null`) === true;
}

/** Every applied migration, oldest first. */
export async function readRecords(q: Queryable): Promise<MigrationRecord[]> {
  const rows = await q.fetch<RecordRow>`
    select version, name, checksum, applied_at, applied_by
    from migrate_record order by version`;
  return rows.map((row) => ({
    version: row.version,
    name: row.name,
    checksum: row.checksum,
    appliedAt: row.applied_at,
    appliedBy: row.applied_by,
  }));
}

export async function isRecorded(tx: Queryable, version: number): Promise<boolean> {
  return (await tx.fetchval`select 1 from migrate_record where version = ${version}`) !== null;
}

export async function insertRecord(
  tx: Queryable,
  migration: MigrationFile,
  appliedBy: string,
): Promise<void> {
  await tx.execute`
    insert into migrate_record (version, name, checksum, applied_by)
    values (${migration.version}, ${migration.name}, ${migration.checksum}, ${appliedBy})`;
}

export async function deleteRecord(tx: Queryable, version: number): Promise<void> {
  await tx.execute`delete from migrate_record where version = ${version}`;
}

import type { Database } from '../types.js';
import { assertUnchanged, defaultAppliedBy } from './checks.js';
import { type MigrationFile, readMigrations } from './files.js';
import {
  ensureRecordTable,
  insertRecord,
  isRecorded,
  lockMigrations,
  readRecords,
} from './record.js';
import { runMigrationSql } from './script.js';
import type { MigrationRef } from './types.js';

export interface MigrateOptions {
  /** The migrations folder (`NNNN_name.sql` files). */
  dir: string;
  /** Apply pending migrations up to and including this version only. */
  to?: number;
  /** Recorded as `applied_by`; `user@host` of this process unless given. */
  appliedBy?: string;
  /** Called after each migration has committed. */
  onApplied?: (migration: MigrationRef) => void;
}

export interface MigrateResult {
  /** What this call applied, oldest first (empty when the database was up to date). */
  readonly applied: MigrationRef[];
}

/**
 * Apply every pending migration of `dir`, oldest first, each in its own transaction
 * together with its `migrate_record` row: a migration that fails leaves neither changes
 * nor a record, and the ones before it stay applied. Safe to run from several processes
 * at once (an advisory lock serialises them; each migration runs exactly once), so a
 * service may call it on start.
 *
 * @throws MigrationError when a file is malformed, an applied file was changed, or a migration fails.
 */
export async function migrate(db: Database, options: MigrateOptions): Promise<MigrateResult> {
  const files = await readMigrations(options.dir);
  const appliedBy = options.appliedBy ?? defaultAppliedBy();
  const records = await db.transaction(async (tx) => {
    await lockMigrations(tx);
    await ensureRecordTable(tx);
    return readRecords(tx);
  });
  assertUnchanged(files, records);

  const done = new Set(records.map((record) => record.version));
  const applied: MigrationRef[] = [];
  for (const migration of files) {
    if (options.to !== undefined && migration.version > options.to) break;
    if (done.has(migration.version)) continue;
    if (await applyOne(db, migration, appliedBy)) {
      const ref = refOf(migration);
      applied.push(ref);
      options.onApplied?.(ref);
    }
  }
  return { applied };
}

/** False when another process applied it while this one waited for the lock. */
function applyOne(db: Database, migration: MigrationFile, appliedBy: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockMigrations(tx);
    if (await isRecorded(tx, migration.version)) return false;
    await runMigrationSql(tx, migration, 'up');
    await insertRecord(tx, migration, appliedBy);
    return true;
  });
}

export function refOf(migration: MigrationFile): MigrationRef {
  return { version: migration.version, name: migration.name, file: migration.file };
}

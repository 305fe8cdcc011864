import { ErrorCode, MigrationError } from '../../errors/index.js';
import type { Database } from '../types.js';
import { assertUnchanged } from './checks.js';
import { DOWN_MARKER, type MigrationFile, readMigrations } from './files.js';
import { refOf } from './migrate.js';
import {
  deleteRecord,
  isRecorded,
  lockMigrations,
  type MigrationRecord,
  readRecords,
  recordTableExists,
} from './record.js';
import { runMigrationSql } from './script.js';
import type { MigrationRef } from './types.js';

export interface RollbackOptions {
  /** The migrations folder. */
  dir: string;
  /** How many of the latest applied migrations to undo; 1 unless given. */
  steps?: number;
  /** Called after each rollback has committed. */
  onRolledBack?: (migration: MigrationRef) => void;
}

export interface RollbackResult {
  /** What this call rolled back, newest first. */
  readonly rolledBack: MigrationRef[];
}

/**
 * Undo the latest `steps` applied migrations, newest first, each by running its down
 * section in a transaction that also deletes its record. Every one of them is checked
 * before any runs: all must still have their file, unchanged, with a down section.
 *
 * @throws MigrationError naming the first migration that cannot be rolled back, or one that fails.
 */
export async function rollback(db: Database, options: RollbackOptions): Promise<RollbackResult> {
  const steps = options.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new TypeError(`rollback steps must be a positive integer, got ${steps}`);
  }
  const files = await readMigrations(options.dir);
  const records = (await recordTableExists(db)) ? await readRecords(db) : [];
  assertUnchanged(files, records);

  const targets = records
    .slice(-steps)
    .reverse()
    .map((record) => reversibleFile(files, record, options.dir));
  const rolledBack: MigrationRef[] = [];
  for (const migration of targets) {
    if (await rollbackOne(db, migration)) {
      const ref = refOf(migration);
      rolledBack.push(ref);
      options.onRolledBack?.(ref);
    }
  }
  return { rolledBack };
}

function reversibleFile(
  files: readonly MigrationFile[],
  record: MigrationRecord,
  dir: string,
): MigrationFile {
  const file = files.find((candidate) => candidate.version === record.version);
  if (!file) {
    throw new MigrationError(
      ErrorCode.migrationIrreversible,
      `Applied migration ${record.version} (${record.name}) has no file in ${dir}; it cannot be rolled back`,
    );
  }
  if (file.down === undefined) {
    throw new MigrationError(
      ErrorCode.migrationIrreversible,
      `Migration ${file.file} has no down section (a "${DOWN_MARKER}" line followed by SQL that undoes it); it cannot be rolled back`,
      { file: file.file },
    );
  }
  return file;
}

/** False when another process rolled it back first. */
function rollbackOne(db: Database, migration: MigrationFile): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockMigrations(tx);
    if (!(await isRecorded(tx, migration.version))) return false;
    await runMigrationSql(tx, migration, 'down');
    await deleteRecord(tx, migration.version);
    return true;
  });
}

import type { Database } from '../types.js';
import { readMigrations } from './files.js';
import { readRecords, recordTableExists } from './record.js';

/**
 * - `applied`: recorded, file unchanged
 * - `pending`: file not yet applied
 * - `changed`: recorded, but the file was edited since (migrate refuses to go on)
 * - `missing`: recorded, but no file has its version any more
 */
export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing';

export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  /** The file name; undefined for a `missing` migration. */
  readonly file: string | undefined;
  readonly state: MigrationState;
  readonly appliedAt: Date | undefined;
  readonly appliedBy: string | undefined;
  /** Whether the file has a down section, so `rollback` can undo it. */
  readonly reversible: boolean;
}

export interface MigrationStatusOptions {
  /** The migrations folder. */
  dir: string;
}

/** Every migration known to the folder or the database, oldest first. Changes nothing. */
export async function migrationStatus(
  db: Database,
  options: MigrationStatusOptions,
): Promise<MigrationStatus[]> {
  const files = await readMigrations(options.dir);
  const records = (await recordTableExists(db)) ? await readRecords(db) : [];
  const byVersion = new Map(records.map((record) => [record.version, record]));
  const entries: MigrationStatus[] = files.map((file) => {
    const record = byVersion.get(file.version);
    byVersion.delete(file.version);
    let state: MigrationState = 'pending';
    if (record) state = record.checksum === file.checksum ? 'applied' : 'changed';
    return {
      version: file.version,
      name: file.name,
      file: file.file,
      state,
      appliedAt: record?.appliedAt,
      appliedBy: record?.appliedBy,
      reversible: file.down !== undefined,
    };
  });
  for (const record of byVersion.values()) {
    entries.push({
      version: record.version,
      name: record.name,
      file: undefined,
      state: 'missing',
      appliedAt: record.appliedAt,
      appliedBy: record.appliedBy,
      reversible: false,
    });
  }
  return entries.sort((a, b) => a.version - b.version);
}

import { hostname, userInfo } from 'node:os';
import { ErrorCode, MigrationError } from '../../errors/index.js';
import type { MigrationFile } from './files.js';
import type { MigrationRecord } from './record.js';

/** Applied migrations whose file no longer matches the recorded checksum. */
export function changedMigrations(
  files: readonly MigrationFile[],
  records: readonly MigrationRecord[],
): MigrationFile[] {
  const byVersion = new Map(files.map((file) => [file.version, file]));
  return records.flatMap((record) => {
    const file = byVersion.get(record.version);
    return file && file.checksum !== record.checksum ? [file] : [];
  });
}

/**
 * Refuse to go on when an applied migration's file was edited: the database holds what
 * the old text did, and re-reading the new text would mislead every later step.
 */
export function assertUnchanged(
  files: readonly MigrationFile[],
  records: readonly MigrationRecord[],
): void {
  const changed = changedMigrations(files, records);
  const first = changed[0];
  if (first === undefined) return;
  const names = changed.map((file) => file.path).join(', ');
  const plural = changed.length > 1;
  throw new MigrationError(
    ErrorCode.migrationChanged,
    `Migration${plural ? 's' : ''} ${names} ${plural ? 'were' : 'was'} changed after being applied (checksum differs from migrate_record); restore the applied text and put the change in a new migration`,
    { file: first.file },
  );
}

/** `user@host` of this process, recorded as `applied_by` unless the caller names someone. */
export function defaultAppliedBy(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${user}@${hostname()}`;
}

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCode, MigrationError } from '../../errors/index.js';

/** The line that starts a migration's down section; everything after it undoes the migration. */
export const DOWN_MARKER = '-- migrate:down';

const MARKER_LINE = /^[ \t]*--[ \t]*migrate:down[ \t]*$/gm;
const FILE_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\.sql$/;

/** One `NNNN_name.sql` file of a migrations folder. */
export interface MigrationFile {
  readonly version: number;
  /** The part after the version, e.g. `create_cities`. */
  readonly name: string;
  /** The file name, e.g. `0001_create_cities.sql`. */
  readonly file: string;
  readonly path: string;
  /** SQL before the down marker. */
  readonly up: string;
  /** SQL after the down marker; undefined when the file has no down section. */
  readonly down: string | undefined;
  /** sha256 (hex) of the up SQL, line endings normalised; recorded when applied. */
  readonly checksum: string;
}

/** Split a migration's text at the down marker. */
export function parseMigration(
  file: string,
  text: string,
): { up: string; down: string | undefined } {
  const normalised = text.replaceAll('\r\n', '\n');
  const markers = [...normalised.matchAll(MARKER_LINE)];
  if (markers.length > 1) {
    throw new MigrationError(
      ErrorCode.migrationInvalid,
      `Migration ${file} has ${markers.length} "${DOWN_MARKER}" lines; it may have only one`,
      { file },
    );
  }
  const marker = markers[0];
  if (marker === undefined) return { up: normalised, down: undefined };
  const end = marker.index + marker[0].length;
  return { up: normalised.slice(0, marker.index), down: normalised.slice(end).replace(/^\n/, '') };
}

/** sha256 of the up SQL: what `migrate` compares to detect an applied file that changed. */
export function checksumOf(up: string): string {
  return createHash('sha256').update(up.replaceAll('\r\n', '\n'), 'utf8').digest('hex');
}

/** The version and name a migration file name encodes, or undefined for other files. */
export function parseFileName(file: string): { version: number; name: string } | undefined {
  const match = FILE_NAME.exec(file);
  if (!match?.[1] || !match[2]) return undefined;
  return { version: Number(match[1]), name: match[2] };
}

/**
 * Every migration in `dir`, oldest first. Other files (README, meta/) are ignored; a
 * `.sql` file that does not follow the naming rule, or two files with one version, fail.
 */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const absolute = resolve(dir);
  const entries = await listDir(absolute);
  const byVersion = new Map<number, MigrationFile>();
  for (const entry of entries) {
    if (!entry.endsWith('.sql')) continue;
    const parsed = parseFileName(entry);
    if (!parsed) {
      throw new MigrationError(
        ErrorCode.migrationInvalid,
        `Migration file ${join(absolute, entry)} is not named NNNN_name.sql (e.g. 0001_create_cities.sql)`,
        { file: entry },
      );
    }
    const taken = byVersion.get(parsed.version);
    if (taken) {
      throw new MigrationError(
        ErrorCode.migrationInvalid,
        `Migrations ${taken.file} and ${entry} in ${absolute} share version ${parsed.version}`,
        { file: entry },
      );
    }
    const path = join(absolute, entry);
    const { up, down } = parseMigration(entry, await readFile(path, 'utf8'));
    byVersion.set(parsed.version, {
      ...parsed,
      file: entry,
      path,
      up,
      down,
      checksum: checksumOf(up),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new MigrationError(ErrorCode.migrationInvalid, `Migrations folder ${dir} ${reason}`, {
      cause: error,
    });
  }
}

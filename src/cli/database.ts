import { isAbsolute, resolve } from 'node:path';
import { createDatabase, type Database, type DbConfig } from '../db/index.js';
import { ConfigError } from '../errors/index.js';

/**
 * Open the database the service configuration names, as a service would: PostgreSQL
 * for `db.url`, else embedded PGlite in `db.dataDir`. An in-memory database is refused:
 * migrating one would change nothing that lasts.
 */
export function openConfiguredDatabase(db: DbConfig, cwd: string): Database {
  if (!db.url && !db.dataDir) {
    throw new ConfigError(
      'No database configured: set DATABASE_URL (or WHARF_DB_URL) for PostgreSQL, or WHARF_DB_DATA_DIR for embedded PGlite',
    );
  }
  const dataDir = db.dataDir && !isAbsolute(db.dataDir) ? resolve(cwd, db.dataDir) : db.dataDir;
  return createDatabase({ ...db, dataDir });
}

/** Run `fn` with the database open, and close it however `fn` ends. */
export async function withDatabase<T>(
  db: DbConfig,
  cwd: string,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const database = openConfiguredDatabase(db, cwd);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

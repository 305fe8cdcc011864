import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, type DatabaseOptions, type DbConfig } from 'wharf/db';

/** One engine the database tests run against. */
export interface EngineCase {
  name: 'pglite' | 'postgres';
  open(config?: Partial<DbConfig>, options?: DatabaseOptions): Database;
}

const url = process.env.DATABASE_URL;

/** PGlite always; the real PostgreSQL too when DATABASE_URL is set. */
export const engines: EngineCase[] = [
  {
    name: 'pglite',
    open: (config = {}, options) => createDatabase({ ...config, url: '' }, options),
  },
  ...(url
    ? [
        {
          name: 'postgres' as const,
          open: (config: Partial<DbConfig> = {}, options?: DatabaseOptions) =>
            createDatabase({ ...config, url }, options),
        },
      ]
    : []),
];

/** PGlite's first start (initdb in WebAssembly) takes seconds of CPU: hooks that open one wait this long. */
export const START_TIMEOUT_MS = 120_000;

/** A table name no other test (or parallel test file) uses. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

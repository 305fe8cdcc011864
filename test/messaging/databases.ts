import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { DbConfig } from 'wharf/db';

const adminUrl = process.env.DATABASE_URL;

/** Where one test's database lives, so two processes can open it one after the other. */
export interface DatabasePlace {
  /** The `db` configuration that opens it. */
  readonly config: Partial<DbConfig>;
  /** The same as environment for the writer fixture. */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

export interface EngineCase {
  name: 'pglite' | 'postgres';
  /** A database two processes can open one after the other (PGlite in a directory). */
  place(): Promise<DatabasePlace>;
  /** A database for one process (PGlite in memory, which starts faster). */
  ephemeral(): Promise<DatabasePlace>;
}

/** PGlite in a temporary directory always; a scratch database on PostgreSQL when DATABASE_URL is set. */
export const engines: EngineCase[] = [
  {
    name: 'pglite',
    async place() {
      const dir = await mkdtemp(join(tmpdir(), 'wharf-outbox-'));
      return {
        config: { url: '', dataDir: dir },
        env: { DB_DATA_DIR: dir },
        remove: () => rm(dir, { recursive: true, force: true }),
      };
    },
    async ephemeral() {
      return { config: { url: '' }, env: {}, remove: async () => {} };
    },
  },
  ...(adminUrl
    ? [
        {
          name: 'postgres' as const,
          ephemeral(): Promise<DatabasePlace> {
            return scratchDatabase(adminUrl);
          },
          place(): Promise<DatabasePlace> {
            return scratchDatabase(adminUrl);
          },
        },
      ]
    : []),
];

/** A database of its own on the server of DATABASE_URL, dropped by `remove`. */
async function scratchDatabase(adminUrl: string): Promise<DatabasePlace> {
  const name = `wharf_outbox_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    config: { url: url.toString() },
    env: { DB_URL: url.toString() },
    async remove() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** PGlite's first start in a process (initdb in WebAssembly) takes seconds of CPU. */
export const DB_START_MS = 120_000;

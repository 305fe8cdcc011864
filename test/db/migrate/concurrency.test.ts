import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir, scratchPostgres } from './helpers.js';

const adminUrl = process.env.DATABASE_URL;
const BIN = fileURLToPath(new URL('../../../bin/wharf.js', import.meta.url));
const PROCESSES = 4;
const SPAWN_MS = 180_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWharf(args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Several migrations, each slow enough that the processes really overlap. */
function migrations(): Record<string, string> {
  const files: Record<string, string> = {
    '0001_create_runs.sql':
      'create table runs (version int not null);\ninsert into runs values (1);\n',
  };
  for (let version = 2; version <= 5; version++) {
    files[`000${version}_step_${version}.sql`] =
      `select pg_sleep(0.2);\ncreate table step_${version} (id int);\ninsert into runs values (${version});\n`;
  }
  return files;
}

describe.skipIf(!adminUrl)('migrate up from several processes at once (PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
  let scratchUrl: string;

  beforeAll(async () => {
    scratch = await scratchPostgres(adminUrl as string);
    scratchUrl = scratch.url;
  });

  afterAll(() => scratch.drop());

  it(
    `applies each migration exactly once when ${PROCESSES} processes run it together`,
    async () => {
      const { dir, cleanup } = await migrationsDir(migrations());
      try {
        const env = { DATABASE_URL: scratchUrl, WHARF_DB_URL: scratchUrl };
        const outcomes = await Promise.all(
          Array.from({ length: PROCESSES }, () => runWharf(['migrate', 'up', '--dir', dir], env)),
        );
        for (const outcome of outcomes) {
          expect(outcome.stderr).toBe('');
          expect(outcome.code).toBe(0);
        }
        // Across all processes, every migration was reported applied once.
        const applied = outcomes.flatMap((o) => o.stdout.match(/^Applied \d+_\S+\.sql$/gm) ?? []);
        expect(applied.sort()).toEqual(Object.keys(migrations()).map((f) => `Applied ${f}`));

        const db = postgres(scratchUrl, { max: 1 });
        try {
          const runs = await db`select version from runs order by version`;
          expect(runs.map((row) => row.version)).toEqual([1, 2, 3, 4, 5]);
          const records = await db`select version from migrate_record order by version`;
          expect(records.map((row) => row.version)).toEqual([1, 2, 3, 4, 5]);
        } finally {
          await db.end();
        }
      } finally {
        await cleanup();
      }
    },
    SPAWN_MS,
  );
});

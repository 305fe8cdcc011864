import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, ErrorCode } from 'wharf';
import { createDatabase } from 'wharf/db';
import { START_TIMEOUT_MS } from './engines.js';

describe('embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'keeps its data in dataDir across restarts',
    async () => {
      const dataDir = join(dir, 'data');
      const first = createDatabase({ dataDir });
      expect(first.engine).toBe('pglite');
      await first.execute`create table notes (body text)`;
      await first.execute`insert into notes values (${'kept'})`;
      await first.close();

      const second = createDatabase({ dataDir });
      try {
        expect(await second.fetchval`select body from notes`).toBe('kept');
      } finally {
        await second.close();
      }
    },
    START_TIMEOUT_MS,
  );

  it('answers 503 DB_UNAVAILABLE when it cannot start', async () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const db = createDatabase({ dataDir: join(file, 'data') });
    try {
      const err = await db.fetchval`select 1`.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect(err).toMatchObject({ status: 503, code: ErrorCode.dbUnavailable });
    } finally {
      await db.close();
    }
  });

  it('closes without ever starting when it was never used', async () => {
    const db = createDatabase();
    await db.close();
    await expect(db.ping()).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});

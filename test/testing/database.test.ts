import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MigrationError } from 'wharf';
import { createDatabase } from 'wharf/db';
import { type TestDatabase, testDatabase } from 'wharf/testing';
import { dropTemplates } from '../../src/testing/database.js';

const NOTES = fileURLToPath(new URL('./fixtures/notes/', import.meta.url));
const BROKEN = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));

/** PGlite's first start in a process runs initdb; later engines start from a snapshot. */
const START_TIMEOUT_MS = 120_000;

const databaseUrl = process.env.DATABASE_URL;
/** Embedded PGlite always; the real PostgreSQL too when DATABASE_URL is set. */
const engines = [
  { engine: 'pglite', url: '' },
  ...(databaseUrl ? [{ engine: 'postgres', url: databaseUrl }] : []),
];

describe.each(engines)('testDatabase on $engine', ({ engine, url }) => {
  const opened: TestDatabase[] = [];

  async function open(migrations = NOTES): Promise<TestDatabase> {
    const database = await testDatabase({ migrations, url });
    opened.push(database);
    return database;
  }

  // The first database of a process pays the engine's start or the template's build.
  beforeAll(async () => {
    await (await testDatabase({ migrations: NOTES, url })).close();
  }, START_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
  });

  it('gives a database with every migration applied, rows they insert included', async () => {
    const { db } = await open();
    expect(db.engine).toBe(engine);
    expect(await db.fetch`select version from migrate_record order by version`).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    expect(await db.fetch`select id, body, done from notes`).toEqual([
      { id: 1, body: 'written by a migration', done: false },
    ]);
  });

  // These two run in order: the second sees whatever the first left behind.
  describe('between one test and the next', () => {
    it('lets a test write rows, change the schema and its session settings', async () => {
      const { db } = await open();
      await db.execute`insert into notes (body) values ('written by the first test')`;
      await db.execute`delete from notes where id = 1`;
      await db.execute`create table scratch (id integer)`;
      await db.execute`set timezone = 'Pacific/Chatham'`;
      expect(await db.fetchval`select count(*)::int from notes`).toBe(1);
    });

    it('gives the next test none of it: the seeded row back, ids from 1, no new table', async () => {
      const { db } = await open();
      expect(await db.fetch`select id, body from notes order by id`).toEqual([
        { id: 1, body: 'written by a migration' },
      ]);
      expect(await db.fetchval`select to_regclass('scratch') is null`).toBe(true);
      expect(await db.fetchval`insert into notes (body) values ('next') returning id`).toBe(2);
      expect(await db.fetchval`show timezone`).not.toBe('Pacific/Chatham');
    });
  });

  it(
    'keeps two databases open at the same time apart',
    async () => {
      const [a, b] = await Promise.all([open(), open()]);
      await a.db.execute`insert into notes (body) values ('only in a')`;
      await b.db.execute`create table only_in_b (id integer)`;
      expect(await a.db.fetchval`select count(*)::int from notes`).toBe(2);
      expect(await b.db.fetchval`select count(*)::int from notes`).toBe(1);
      expect(await a.db.fetchval`select to_regclass('only_in_b') is null`).toBe(true);
    },
    START_TIMEOUT_MS,
  );

  it('refuses queries once closed, and may be closed twice', async () => {
    const database = await testDatabase({ migrations: NOTES, url });
    await database.close();
    await database.close();
    await expect(database.db.fetchval`select 1`).rejects.toMatchObject({
      status: 503,
      code: ErrorCode.dbUnavailable,
    });
  });

  it(
    'rejects with the failing migration, and the next database is not affected',
    async () => {
      const failed = testDatabase({ migrations: BROKEN, url });
      await expect(failed).rejects.toBeInstanceOf(MigrationError);
      await expect(failed).rejects.toMatchObject({ code: ErrorCode.migrationFailed });
      const { db } = await open();
      expect(await db.fetchval`select to_regclass('half_done') is null`).toBe(true);
      expect(await db.fetchval`select count(*)::int from notes`).toBe(1);
    },
    START_TIMEOUT_MS,
  );

  describe('when the migrations change', () => {
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'wharf-testdb-'));
      await cp(NOTES, dir, { recursive: true });
    });

    afterAll(async () => {
      // A temporary folder's templates would never be reused.
      if (url) await dropTemplates(url, dir);
      await rm(dir, { recursive: true, force: true });
    });

    it('applies a migration added since the last database', async () => {
      const before = await open(dir);
      expect(await before.db.fetchval`select to_regclass('tags') is null`).toBe(true);
      await before.close();

      await writeFile(
        join(dir, '0003_create_tags.sql'),
        "create table tags (name text primary key);\ninsert into tags values ('new');\n",
      );
      const after = await open(dir);
      expect(await after.db.fetch`select name from tags`).toEqual([{ name: 'new' }]);
      expect(await after.db.fetchval`select max(version) from migrate_record`).toBe(3);
    });
  });
});

describe.runIf(databaseUrl)('testDatabase on postgres: databases and urls', () => {
  const url = databaseUrl ?? '';
  const admin = createDatabase({ url, poolSize: 1 });

  afterAll(() => admin.close());

  async function exists(name: string): Promise<boolean> {
    return (await admin.fetchval`select 1 from pg_database where datname = ${name}`) === 1;
  }

  it('creates a database of its own, which the url points at, and drops it on close', async () => {
    const database = await testDatabase({ migrations: NOTES, url });
    const name = new URL(database.url ?? '').pathname.slice(1);
    expect(name).toMatch(/^test_[0-9a-f]{16}$/);
    expect(await database.db.fetchval`select current_database()`).toBe(name);
    expect(await exists(name)).toBe(true);

    const viaUrl = createDatabase({ url: database.url ?? '', poolSize: 1 });
    try {
      expect(await viaUrl.fetchval`select current_database()`).toBe(name);
      expect(await viaUrl.fetchval`select count(*)::int from notes`).toBe(1);
    } finally {
      await viaUrl.close();
    }

    await database.close();
    expect(await exists(name)).toBe(false);
  });

  it('drops the database even while a connection to it is still open', async () => {
    const database = await testDatabase({ migrations: NOTES, url });
    const name = new URL(database.url ?? '').pathname.slice(1);
    const leftover = createDatabase({ url: database.url ?? '', poolSize: 1 });
    try {
      await leftover.ping();
      await database.close();
      expect(await exists(name)).toBe(false);
    } finally {
      await leftover.close();
    }
  });
});

describe('testDatabase on pglite: engines', () => {
  it(
    'reuses the engine of a closed database instead of starting another',
    async () => {
      const first = await testDatabase({ migrations: NOTES, url: '' });
      expect(first.url).toBeUndefined();
      const started = await first.db.fetchval`select pg_postmaster_start_time()`;
      await first.close();
      const second = await testDatabase({ migrations: NOTES, url: '' });
      try {
        expect(await second.db.fetchval`select pg_postmaster_start_time()`).toEqual(started);
      } finally {
        await second.close();
      }
    },
    START_TIMEOUT_MS,
  );
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError } from 'wharf';
import { type Database, migrate, migrationStatus, rollback } from 'wharf/db';
import {
  columnNames,
  enginesUnderTest,
  migrationsDir,
  PGLITE_START_MS,
  resetSchema,
  tableNames,
} from './helpers.js';

const CITIES = `create table cities (id serial primary key, name text not null);
-- migrate:down
drop table cities;
`;
const POPULATION = `alter table cities add column population integer;
-- migrate:down
alter table cities drop column population;
`;
const TAGS = 'create table tags (id serial primary key);\n';

async function failure(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe.each(enginesUnderTest)('on $name', (engine) => {
  let db: Database;
  let stop: () => Promise<void>;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ db, stop } = await engine.start());
  }, PGLITE_START_MS);

  afterAll(() => stop());

  beforeEach(async () => {
    await resetSchema(db);
    ({ dir, cleanup } = await migrationsDir({
      '0001_create_cities.sql': CITIES,
      '0002_add_population.sql': POPULATION,
      '0003_create_tags.sql': TAGS,
    }));
  });

  afterEach(() => cleanup());

  describe('migrate', () => {
    it('applies pending migrations in order and records each one', async () => {
      const result = await migrate(db, { dir, appliedBy: 'deployer@ci' });
      expect(result.applied.map((m) => m.file)).toEqual([
        '0001_create_cities.sql',
        '0002_add_population.sql',
        '0003_create_tags.sql',
      ]);
      expect(await tableNames(db)).toEqual(['cities', 'migrate_record', 'tags']);
      expect(await columnNames(db, 'cities')).toEqual(['id', 'name', 'population']);
      const records = await db.fetch`
      select version, name, checksum, applied_by, applied_at from migrate_record order by version`;
      expect(records.map((r) => [r.version, r.name, r.applied_by])).toEqual([
        [1, 'create_cities', 'deployer@ci'],
        [2, 'add_population', 'deployer@ci'],
        [3, 'create_tags', 'deployer@ci'],
      ]);
      expect(records[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(records[0]?.applied_at).toBeInstanceOf(Date);
    });

    it('applies nothing the second time', async () => {
      await migrate(db, { dir });
      expect((await migrate(db, { dir })).applied).toEqual([]);
      expect(await db.fetchval`select count(*)::int from migrate_record`).toBe(3);
    });

    it('records user@host as applied_by unless told otherwise', async () => {
      await migrate(db, { dir, to: 1 });
      expect(await db.fetchval`select applied_by from migrate_record`).toMatch(/^.+@.+$/);
    });

    it('stops at the version given as `to`', async () => {
      const result = await migrate(db, { dir, to: 2 });
      expect(result.applied.map((m) => m.version)).toEqual([1, 2]);
      expect(await tableNames(db)).toEqual(['cities', 'migrate_record']);
    });

    it('reports each migration as it commits', async () => {
      const seen: number[] = [];
      await migrate(db, { dir, onApplied: (m) => seen.push(m.version) });
      expect(seen).toEqual([1, 2, 3]);
    });

    it('leaves no partial change and no record when a migration fails', async () => {
      await writeFile(
        join(dir, '0004_broken.sql'),
        'create table halfway (id int);\ninsert into halfway values (1);\nselect * from no_such_table;\n',
      );
      const error = await failure(migrate(db, { dir }));
      expect(error.code).toBe('MIGRATION_FAILED');
      expect(error.file).toBe('0004_broken.sql');
      expect(error.message).toMatch(
        /0004_broken\.sql failed at "select \* from no_such_table": .*no_such_table/,
      );
      // Earlier migrations stay applied; the broken one left nothing behind.
      expect(await tableNames(db)).toEqual(['cities', 'migrate_record', 'tags']);
      expect(await db.fetchval`select max(version) from migrate_record`).toBe(3);
    });

    it('refuses to go on when an applied migration file was changed, naming the file', async () => {
      await migrate(db, { dir, to: 2 });
      await writeFile(join(dir, '0001_create_cities.sql'), CITIES.replace('text not null', 'text'));
      const error = await failure(migrate(db, { dir }));
      expect(error.code).toBe('MIGRATION_CHANGED');
      expect(error.message).toContain(join(dir, '0001_create_cities.sql'));
      expect(error.message).toMatch(/changed after being applied/);
      expect(await tableNames(db)).not.toContain('tags');
    });

    it('ignores a change below the down marker (only the up SQL is checksummed)', async () => {
      await migrate(db, { dir });
      await writeFile(join(dir, '0001_create_cities.sql'), `${CITIES}-- drop it all\n`);
      await expect(migrate(db, { dir })).resolves.toEqual({ applied: [] });
    });
  });

  describe('migrationStatus', () => {
    it('lists applied and pending migrations without creating anything', async () => {
      const before = await migrationStatus(db, { dir });
      expect(before.map((s) => [s.version, s.state, s.reversible])).toEqual([
        [1, 'pending', true],
        [2, 'pending', true],
        [3, 'pending', false],
      ]);
      expect(await tableNames(db)).toEqual([]);

      await migrate(db, { dir, to: 1, appliedBy: 'me@here' });
      const after = await migrationStatus(db, { dir });
      expect(after.map((s) => s.state)).toEqual(['applied', 'pending', 'pending']);
      expect(after[0]?.appliedBy).toBe('me@here');
      expect(after[0]?.appliedAt).toBeInstanceOf(Date);
    });

    it('shows changed files and records whose file is gone', async () => {
      await migrate(db, { dir });
      await writeFile(
        join(dir, '0002_add_population.sql'),
        'alter table cities add column pop int;',
      );
      await db.execute`insert into migrate_record (version, name, checksum, applied_by)
      values (9, 'gone', 'x', 'me')`;
      const status = await migrationStatus(db, { dir });
      expect(status.map((s) => [s.version, s.state, s.file])).toEqual([
        [1, 'applied', '0001_create_cities.sql'],
        [2, 'changed', '0002_add_population.sql'],
        [3, 'applied', '0003_create_tags.sql'],
        [9, 'missing', undefined],
      ]);
    });
  });

  describe('rollback', () => {
    it('runs the down section of the latest migration and deletes its record', async () => {
      await migrate(db, { dir, to: 2 });
      const result = await rollback(db, { dir });
      expect(result.rolledBack.map((m) => m.file)).toEqual(['0002_add_population.sql']);
      expect(await columnNames(db, 'cities')).toEqual(['id', 'name']);
      expect((await migrationStatus(db, { dir })).map((s) => s.state)).toEqual([
        'applied',
        'pending',
        'pending',
      ]);
    });

    it('rolls back several steps, newest first', async () => {
      await migrate(db, { dir, to: 2 });
      const result = await rollback(db, { dir, steps: 2 });
      expect(result.rolledBack.map((m) => m.version)).toEqual([2, 1]);
      expect(await tableNames(db)).toEqual(['migrate_record']);
    });

    it('refuses a migration without a down section and rolls back nothing', async () => {
      await migrate(db, { dir });
      const error = await failure(rollback(db, { dir, steps: 2 }));
      expect(error.code).toBe('MIGRATION_IRREVERSIBLE');
      expect(error.message).toMatch(/0003_create_tags\.sql has no down section/);
      expect(await db.fetchval`select count(*)::int from migrate_record`).toBe(3);
    });

    it('keeps the migration applied when its down section fails', async () => {
      await writeFile(
        join(dir, '0003_create_tags.sql'),
        `${TAGS}-- migrate:down\ndrop table tags;\ndrop table not_there;\n`,
      );
      await migrate(db, { dir });
      const error = await failure(rollback(db, { dir }));
      expect(error.code).toBe('MIGRATION_FAILED');
      expect(error.message).toMatch(/Rollback of migration 0003_create_tags\.sql failed/);
      expect(await tableNames(db)).toContain('tags');
      expect(await db.fetchval`select count(*)::int from migrate_record`).toBe(3);
    });

    it('does nothing on a database never migrated', async () => {
      expect(await rollback(db, { dir })).toEqual({ rolledBack: [] });
    });
  });
});

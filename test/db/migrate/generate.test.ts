import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integer, pgEnum, pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Database, generateMigration, migrate, readMigrations, rollback } from 'wharf/db';
import {
  columnNames,
  memoryDatabase,
  migrationsDir,
  PGLITE_START_MS,
  resetSchema,
  tableNames,
} from './helpers.js';

const climate = pgEnum('climate', ['arid', 'temperate', 'polar']);

const citiesV1 = pgTable('cities', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 80 }).notNull(),
  climate: climate('climate'),
});

const citiesV2 = pgTable('cities', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 80 }).notNull(),
  climate: climate('climate'),
  population: integer('population'),
});

const tags = pgTable('tags', { id: serial('id').primaryKey(), label: text('label').notNull() });

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await migrationsDir());
});

afterEach(() => cleanup());

describe('generateMigration', () => {
  it('writes the first migration and its snapshot from an empty folder', async () => {
    const generated = await generateMigration({
      dir,
      name: 'Create cities',
      models: { climate, citiesV1, tags },
    });
    expect(generated?.version).toBe(1);
    expect(generated?.path).toBe(join(dir, '0001_create_cities.sql'));
    expect(generated?.snapshotPath).toBe(join(dir, 'meta', '0001_snapshot.json'));

    const [migration] = await readMigrations(dir);
    expect(migration?.up).toContain(
      `CREATE TYPE "public"."climate" AS ENUM('arid', 'temperate', 'polar');`,
    );
    expect(migration?.up).toContain('CREATE TABLE "cities"');
    expect(migration?.up).toContain('"name" varchar(80) NOT NULL');
    expect(migration?.up).toContain('CREATE TABLE "tags"');
    expect(migration?.down).toContain('DROP TABLE "cities" CASCADE;');
    expect(migration?.down).toContain('DROP TYPE "public"."climate";');

    const snapshot = JSON.parse(await readFile(join(dir, 'meta', '0001_snapshot.json'), 'utf8'));
    expect(Object.keys(snapshot.tables).sort()).toEqual(['public.cities', 'public.tags']);
  });

  it('writes only the ALTER after a column is added', async () => {
    await generateMigration({ dir, name: 'create_cities', models: { climate, citiesV1 } });
    const generated = await generateMigration({
      dir,
      name: 'add_population',
      models: { climate, citiesV2 },
    });
    expect(generated?.statements).toEqual([
      'ALTER TABLE "cities" ADD COLUMN "population" integer;',
    ]);
    const second = (await readMigrations(dir))[1];
    expect(second?.file).toBe('0002_add_population.sql');
    expect(second?.down?.trim()).toBe('ALTER TABLE "cities" DROP COLUMN "population";');
  });

  it('writes nothing when the models did not change', async () => {
    await generateMigration({ dir, name: 'create_cities', models: { climate, citiesV1 } });
    const again = await generateMigration({ dir, name: 'again', models: { climate, citiesV1 } });
    expect(again).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(['0001_create_cities.sql', 'meta']);
    expect(await readdir(join(dir, 'meta'))).toEqual(['0001_snapshot.json']);
  });

  it('accepts tables exported as one default object', async () => {
    const generated = await generateMigration({
      dir,
      name: 'init',
      models: { default: { climate, citiesV1 } },
    });
    expect(generated?.statements).toHaveLength(2);
  });

  it('refuses models without any table instead of dropping everything', async () => {
    await expect(generateMigration({ dir, name: 'oops', models: { nothing: 1 } })).rejects.toThrow(
      /models define no table/,
    );
  });

  it('refuses a name without letters or digits', async () => {
    await expect(generateMigration({ dir, name: '--', models: { citiesV1 } })).rejects.toThrow(
      /Migration name "--" has no letters or digits/,
    );
  });
});

describe('generated migrations', () => {
  let db: Database;

  beforeAll(async () => {
    db = await memoryDatabase();
  }, PGLITE_START_MS);

  afterAll(() => db.close());

  beforeEach(() => resetSchema(db));

  it('apply and roll back on the database', async () => {
    await generateMigration({ dir, name: 'create_cities', models: { climate, citiesV1, tags } });
    await generateMigration({ dir, name: 'add_population', models: { climate, citiesV2, tags } });

    await migrate(db, { dir });
    expect(await tableNames(db)).toEqual(['cities', 'migrate_record', 'tags']);
    expect(await columnNames(db, 'cities')).toEqual(['id', 'name', 'climate', 'population']);

    await rollback(db, { dir });
    expect(await columnNames(db, 'cities')).toEqual(['id', 'name', 'climate']);
    await rollback(db, { dir });
    expect(await tableNames(db)).toEqual(['migrate_record']);
    expect(await db.fetchval`select count(*)::int from pg_type where typname = 'climate'`).toBe(0);
  });
});

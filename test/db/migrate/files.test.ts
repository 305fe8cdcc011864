import { describe, expect, it } from 'vitest';
import { checksumOf, parseMigration, readMigrations } from '../../../src/db/migrate/files.js';
import { MigrationError } from '../../../src/errors/index.js';
import { migrationsDir } from './helpers.js';

describe('migration files', () => {
  it('splits up and down at the "-- migrate:down" line', () => {
    const parsed = parseMigration(
      '0001_a.sql',
      'create table a (id int);\n-- migrate:down\ndrop table a;\n',
    );
    expect(parsed).toEqual({ up: 'create table a (id int);\n', down: 'drop table a;\n' });
  });

  it('has no down section without the marker', () => {
    expect(parseMigration('0001_a.sql', 'create table a (id int);').down).toBeUndefined();
  });

  it('refuses a file with two down markers', () => {
    expect(() =>
      parseMigration('0001_a.sql', 'select 1;\n-- migrate:down\nselect 2;\n-- migrate:down\n'),
    ).toThrow(/0001_a\.sql has 2 "-- migrate:down" lines/);
  });

  it('checksums the up SQL only, ignoring CRLF line endings', () => {
    const lf = parseMigration('0001_a.sql', 'select 1;\n-- migrate:down\nselect 2;\n');
    const crlf = parseMigration('0001_a.sql', 'select 1;\r\n-- migrate:down\r\nselect 3;\r\n');
    expect(checksumOf(crlf.up)).toBe(checksumOf(lf.up));
    expect(checksumOf(lf.up)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumOf('select 2;\n')).not.toBe(checksumOf(lf.up));
  });

  it('reads NNNN_name.sql files in version order and ignores other files', async () => {
    const { dir, cleanup } = await migrationsDir({
      '0010_later.sql': 'select 10;',
      '0002_first.sql': 'select 2;',
      'README.md': 'notes',
    });
    try {
      const files = await readMigrations(dir);
      expect(files.map((f) => [f.version, f.name, f.file])).toEqual([
        [2, 'first', '0002_first.sql'],
        [10, 'later', '0010_later.sql'],
      ]);
    } finally {
      await cleanup();
    }
  });

  it('refuses a .sql file that is not named NNNN_name.sql, naming it', async () => {
    const { dir, cleanup } = await migrationsDir({ 'create_cities.sql': 'select 1;' });
    try {
      const error = await readMigrations(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).code).toBe('MIGRATION_INVALID');
      expect((error as Error).message).toMatch(/create_cities\.sql is not named NNNN_name\.sql/);
    } finally {
      await cleanup();
    }
  });

  it('refuses two files with the same version', async () => {
    const { dir, cleanup } = await migrationsDir({ '0001_a.sql': '', '01_b.sql': '' });
    try {
      await expect(readMigrations(dir)).rejects.toThrow(
        /0001_a\.sql and 01_b\.sql .* share version 1/,
      );
    } finally {
      await cleanup();
    }
  });

  it('says so when the folder does not exist', async () => {
    await expect(readMigrations('/nonexistent/wharf-migrations')).rejects.toThrow(
      'Migrations folder /nonexistent/wharf-migrations does not exist',
    );
  });
});

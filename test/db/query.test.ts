import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, ident, sql } from 'wharf/db';
import { engines, START_TIMEOUT_MS, uniqueTable } from './engines.js';

describe.each(engines)('queries on $name', (engine) => {
  let db: Database;
  const table = ident(uniqueTable('query_items'));

  beforeAll(async () => {
    db = engine.open();
    await db.execute`create table ${table} (id int primary key, name text not null, tags text[])`;
    await db.execute`insert into ${table} (id, name, tags) values (1, 'one', ${['a', 'b']}), (2, 'two', null)`;
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await db.execute`drop table if exists ${table}`;
    await db.close();
  });

  it('fetch returns every row as a plain object', async () => {
    const rows = await db.fetch`select id, name from ${table} order by id`;
    expect(rows).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);
  });

  it('fetchrow returns the first row, or null when there is none', async () => {
    expect(await db.fetchrow`select name from ${table} where id = ${2}`).toEqual({ name: 'two' });
    expect(await db.fetchrow`select name from ${table} where id = ${99}`).toBeNull();
  });

  it('fetchval returns the first column of the first row, or null', async () => {
    expect(await db.fetchval`select name, id from ${table} where id = ${1}`).toBe('one');
    expect(await db.fetchval`select 1 as a, 2 as a`).toBe(1);
    expect(await db.fetchval`select name from ${table} where id = ${99}`).toBeNull();
  });

  it('execute resolves to the number of rows affected', async () => {
    expect(await db.execute`update ${table} set name = name where id > ${0}`).toBe(2);
    expect(await db.execute`delete from ${table} where id = ${99}`).toBe(0);
  });

  it('binds every interpolated value, so SQL in a value is only data', async () => {
    const hostile = `x'); drop table ${table.text}; --`;
    await db.execute`insert into ${table} (id, name) values (${3}, ${hostile})`;
    expect(await db.fetchval`select name from ${table} where id = ${3}`).toBe(hostile);
    expect(await db.fetchval`select count(*)::int from ${table}`).toBe(3);
    await db.execute`delete from ${table} where id = ${3}`;
  });

  it('splices sql fragments and quoted identifiers into the statement', async () => {
    const column = ident('name');
    const filter = sql`id = any(${[1, 2]}) and ${column} <> ${'zzz'}`;
    const rows = await db.fetch`select ${column} from ${table} where ${filter} order by id`;
    expect(rows.map((r) => r.name)).toEqual(['one', 'two']);
    const ids =
      await db.fetch`select id from ${table} where id in (${sql.join([2, 1])}) order by id`;
    expect(ids).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('rejects an undefined value instead of writing NULL', async () => {
    await expect(db.execute`update ${table} set name = ${undefined} where id = 1`).rejects.toThrow(
      /parameter \$1 is undefined/,
    );
  });

  it('returns the same JS types on every engine', async () => {
    const row = await db.fetchrow`
      select 5::int2 as i2, 7::int4 as i4, 9007199254740993::int8 as i8, count(*) as n,
             1.50::numeric as num, 1.5::float8 as f8, true as b,
             '2024-01-02T03:04:05Z'::timestamptz as tstz, '2024-01-02'::date as d,
             '{"a":[1]}'::jsonb as j, '\\x0102'::bytea as bin, array[1,2]::int4[] as a4,
             array[1,2]::int8[] as a8, '6c1c0a36-9f7e-4f3c-8f5e-0c8c3c0e1e11'::uuid as u,
             null::text as nothing
      from ${table}`;
    expect(row).toEqual({
      i2: 5,
      i4: 7,
      i8: '9007199254740993',
      n: '2',
      num: '1.50',
      f8: 1.5,
      b: true,
      tstz: new Date('2024-01-02T03:04:05Z'),
      d: expect.any(Date),
      j: { a: [1] },
      bin: Buffer.from([1, 2]),
      a4: [1, 2],
      a8: ['1', '2'],
      u: '6c1c0a36-9f7e-4f3c-8f5e-0c8c3c0e1e11',
      nothing: null,
    });
    expect(Buffer.isBuffer(row?.bin)).toBe(true);
  });

  it('binds JS values as their PostgreSQL types', async () => {
    const at = new Date('2025-05-06T07:08:09.123Z');
    const row = await db.fetchrow`
      select ${at}::timestamptz as at, ${{ k: 'v' }}::jsonb as j, ${Buffer.from('hi')}::bytea as bin,
             ${'1234567890123456789'}::int8 as big, ${null}::int as nothing`;
    expect(row).toEqual({
      at,
      j: { k: 'v' },
      bin: Buffer.from('hi'),
      big: '1234567890123456789',
      nothing: null,
    });
  });

  it('binds a value cast to json or jsonb as that JSON value, a string as a JSON string', async () => {
    const row = await db.fetchrow`
      select ${'{"a":1}'}::jsonb as text, jsonb_typeof(${'{"a":1}'}::jsonb) as kind,
             ${[1, 'two']}::jsonb as list, ${{ n: 1 }}::json as doc,
             ${'{"a":1}'}::text::jsonb as parsed`;
    expect(row).toEqual({
      text: '{"a":1}',
      kind: 'string',
      list: [1, 'two'],
      doc: { n: 1 },
      parsed: { a: 1 },
    });
  });

  it('answers ping', async () => {
    await expect(db.ping()).resolves.toBeUndefined();
  });
});

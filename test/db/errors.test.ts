import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  DatabaseConflictError,
  DatabaseInvalidValueError,
  DatabaseQueryError,
  DatabaseReferenceError,
  ErrorCode,
  route,
  Type,
} from 'wharf';
import { type Database, ident } from 'wharf/db';
import { testService } from 'wharf/testing';
import { engines, START_TIMEOUT_MS, uniqueTable } from './engines.js';

describe.each(engines)('SQL errors on $name', (engine) => {
  let db: Database;
  const name = uniqueTable('err_users');
  const table = ident(name);
  const cities = ident(`${name}_cities`);
  const residents = ident(`${name}_residents`);

  beforeAll(async () => {
    db = engine.open();
    await db.execute`create table ${table} (id int primary key, email text not null unique)`;
    await db.execute`create table ${cities} (id int primary key, code varchar(3) not null)`;
    await db.execute`create table ${residents} (
      id int primary key,
      city_id int references ${cities} (id),
      age int check (age >= 0)
    )`;
    await db.execute`insert into ${cities} values (1, 'LYS')`;
    await db.execute`insert into ${residents} values (1, 1, 30)`;
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await db.execute`drop table if exists ${residents}`;
    await db.execute`drop table if exists ${cities}`;
    await db.execute`drop table if exists ${table}`;
    await db.close();
  });

  const failure = (query: Promise<unknown>) => query.catch((e: unknown) => e);

  it('turns a foreign key violation into 409 DB_REFERENCE, inserting or deleting', async () => {
    const missing = await failure(db.execute`insert into ${residents} values (2, 99, 1)`);
    expect(missing).toBeInstanceOf(DatabaseReferenceError);
    expect(missing).toMatchObject({
      status: 409,
      code: ErrorCode.dbReference,
      error: { constraint: `${name}_residents_city_id_fkey` },
    });
    const referred = await failure(db.execute`delete from ${cities} where id = 1`);
    expect(referred).toMatchObject({ status: 409, code: ErrorCode.dbReference });
  });

  it('turns a value the column cannot hold into 400 DB_INVALID_VALUE with its SQLSTATE', async () => {
    const cases = [
      { run: () => db.execute`insert into ${cities} values (2, ${'a\u0000b'})`, sqlState: '22021' },
      { run: () => db.execute`insert into ${cities} values (3, ${'LONG'})`, sqlState: '22001' },
      {
        run: () => db.execute`insert into ${cities} values (${'x'}::int, 'ABC')`,
        sqlState: '22P02',
      },
      {
        run: () => db.execute`insert into ${cities} values (${2 ** 31}, 'ABC')`,
        sqlState: '22003',
      },
    ];
    for (const { run, sqlState } of cases) {
      const err = await failure(run());
      expect(err).toBeInstanceOf(DatabaseInvalidValueError);
      expect(err).toMatchObject({
        status: 400,
        code: ErrorCode.dbInvalidValue,
        message: 'A value in the request cannot be stored',
        error: { sqlState },
      });
    }
    expect(await db.fetchval`select count(*)::int from ${cities}`).toBe(1);
  });

  it('turns a broken check constraint into 400 DB_INVALID_VALUE naming it', async () => {
    const err = await failure(db.execute`insert into ${residents} values (3, 1, -1)`);
    expect(err).toMatchObject({
      status: 400,
      code: ErrorCode.dbInvalidValue,
      error: { sqlState: '23514', constraint: `${name}_residents_age_check` },
    });
  });

  it('turns a unique violation into 409 DB_CONFLICT naming the constraint', async () => {
    await db.execute`insert into ${table} values (1, 'a@example.com')`;
    const err = await db.execute`insert into ${table} values (2, 'a@example.com')`.catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseConflictError);
    expect(err).toMatchObject({
      status: 409,
      code: ErrorCode.dbConflict,
      error: { constraint: `${name}_email_key` },
    });
  });

  it('turns other SQL errors into a 500 that keeps the SQLSTATE for the log', async () => {
    const err = await db.execute`selec 1`.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseQueryError);
    expect(err).toMatchObject({
      status: 500,
      code: ErrorCode.internal,
      message: 'Internal server error',
      sqlState: '42601',
    });
    expect((err as Error).cause).toMatchObject({ code: '42601' });
  });

  it('answers callers with the envelope: 409 for a conflict, 400 for a value, 500 without SQL detail otherwise', async () => {
    const service = createService({
      name: 'users',
      config: { log: { level: 'silent' } },
      routes: [
        route({
          method: 'POST',
          url: '/users',
          name: 'createUser',
          status: 201,
          body: Type.Object({ id: Type.Integer(), email: Type.String() }),
          handler: async ({ body }) => {
            await db.execute`insert into ${table} values (${body.id}, ${body.email})`;
            return { id: body.id };
          },
        }),
        route({
          method: 'GET',
          url: '/broken',
          name: 'broken',
          handler: () => db.fetch`select secret_column from ${table}`,
        }),
      ],
    });
    const t = await testService(service);
    try {
      expect((await t.client.createUser({ body: { id: 10, email: 'b@example.com' } })).status).toBe(
        201,
      );
      const conflict = await t.client.createUser({ body: { id: 11, email: 'b@example.com' } });
      expect(conflict.status).toBe(409);
      expect(conflict.body).toEqual({
        code: 'DB_CONFLICT',
        message: 'The resource conflicts with an existing one',
        error: { constraint: `${name}_email_key` },
      });
      const nul = await t.client.createUser({ body: { id: 12, email: 'c\u0000@example.com' } });
      expect(nul.status).toBe(400);
      expect(nul.body).toEqual({
        code: 'DB_INVALID_VALUE',
        message: 'A value in the request cannot be stored',
        error: { sqlState: '22021' },
      });
      const broken = await t.client.broken();
      expect(broken.status).toBe(500);
      expect(broken.body).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
      expect(JSON.stringify(broken.body)).not.toContain('secret_column');
    } finally {
      await t.close();
    }
  });
});

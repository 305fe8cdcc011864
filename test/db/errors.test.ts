import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  DatabaseConflictError,
  DatabaseQueryError,
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

  beforeAll(async () => {
    db = engine.open();
    await db.execute`create table ${table} (id int primary key, email text not null unique)`;
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await db.execute`drop table if exists ${table}`;
    await db.close();
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

  it('answers callers with the envelope: 409 for a conflict, 500 without SQL detail otherwise', async () => {
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
      const broken = await t.client.broken();
      expect(broken.status).toBe(500);
      expect(broken.body).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
      expect(JSON.stringify(broken.body)).not.toContain('secret_column');
    } finally {
      await t.close();
    }
  });
});

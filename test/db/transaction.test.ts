import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseConflictError } from 'wharf';
import { type Database, ident, type Queryable } from 'wharf/db';
import { engines, START_TIMEOUT_MS, uniqueTable } from './engines.js';

describe.each(engines)('transactions and scopes on $name', (engine) => {
  let db: Database;
  const table = ident(uniqueTable('tx_items'));

  beforeAll(async () => {
    db = engine.open();
    await db.execute`create table ${table} (id int primary key, name text not null)`;
  }, START_TIMEOUT_MS);

  beforeEach(async () => {
    await db.execute`delete from ${table}`;
  });

  afterAll(async () => {
    await db.execute`drop table if exists ${table}`;
    await db.close();
  });

  const names = async () =>
    (await db.fetch<{ name: string }>`select name from ${table} order by id`).map((r) => r.name);

  it('commits when the callback resolves and returns its value', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.execute`insert into ${table} values (1, 'a')`;
      return tx.fetchval`select count(*)::int from ${table}`;
    });
    expect(result).toBe(1);
    expect(await names()).toEqual(['a']);
  });

  it('rolls back everything and rethrows the same error when the callback throws', async () => {
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.execute`insert into ${table} values (1, 'a')`;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await names()).toEqual([]);
  });

  it('rolls back a nested transaction alone when its callback throws', async () => {
    await db.transaction(async (tx) => {
      await tx.execute`insert into ${table} values (1, 'outer')`;
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute`insert into ${table} values (2, 'inner')`;
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      await tx.execute`insert into ${table} values (3, 'after')`;
    });
    expect(await names()).toEqual(['outer', 'after']);
  });

  it('keeps a nested transaction that resolved when the outer one commits', async () => {
    await db.transaction(async (tx) => {
      await tx.transaction(async (inner) => {
        await inner.execute`insert into ${table} values (1, 'inner')`;
        await inner.transaction(async (deeper) => {
          await deeper.execute`insert into ${table} values (2, 'deeper')`;
        });
      });
    });
    expect(await names()).toEqual(['inner', 'deeper']);
  });

  it('undoes a resolved nested transaction when the outer one rolls back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.transaction(async (inner) => {
          await inner.execute`insert into ${table} values (1, 'inner')`;
        });
        throw new Error('outer failed');
      }),
    ).rejects.toThrow('outer failed');
    expect(await names()).toEqual([]);
  });

  it('recovers from a failed statement inside a nested transaction', async () => {
    await db.transaction(async (tx) => {
      await tx.execute`insert into ${table} values (1, 'first')`;
      await expect(
        tx.transaction((inner) => inner.execute`insert into ${table} values (1, 'duplicate')`),
      ).rejects.toBeInstanceOf(DatabaseConflictError);
      await tx.execute`insert into ${table} values (2, 'second')`;
    });
    expect(await names()).toEqual(['first', 'second']);
  });

  it('rolls back when a statement failed even if the callback caught its error', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.execute`insert into ${table} values (1, 'a')`;
        await tx.execute`insert into ${table} values (1, 'b')`.catch(() => undefined);
        return 'swallowed';
      }),
    ).rejects.toBeInstanceOf(DatabaseConflictError);
    expect(await names()).toEqual([]);
  });

  // PGlite is one connection: there is no other reader to isolate from.
  it.skipIf(engine.name === 'pglite')(
    'isolates uncommitted writes from other connections',
    async () => {
      await db.transaction(async (tx) => {
        await tx.execute`insert into ${table} values (1, 'hidden')`;
        expect(await db.fetchval`select count(*)::int from ${table}`).toBe(0);
      });
      expect(await names()).toEqual(['hidden']);
    },
  );

  it('refuses a scope helper used after its callback settled', async () => {
    const leaked: Queryable[] = [];
    await db.transaction(async (tx) => {
      leaked.push(tx);
    });
    await db.acquire(async (q) => {
      leaked.push(q);
    });
    expect(leaked).toHaveLength(2);
    for (const q of leaked) await expect(q.execute`select 1`).rejects.toThrow(/already finished/);
  });

  it('acquire runs every statement on one connection', async () => {
    const seen = await db.acquire(async (q) => {
      await q.execute`select set_config('wharf.marker', ${'held'}, false)`;
      return q.fetchval`select current_setting('wharf.marker', true)`;
    });
    expect(seen).toBe('held');
  });
});

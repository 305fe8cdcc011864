import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatabasePoolExhaustedError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  ErrorCode,
} from 'wharf';
import { createDatabase, type Database } from 'wharf/db';
import { engines, START_TIMEOUT_MS } from './engines.js';

/** A promise plus the function that settles it: holds a connection until the test lets go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe.each(engines)('admission control on $name', (engine) => {
  let db: Database;

  beforeAll(async () => {
    db = engine.open({ poolSize: 1, acquireTimeoutMs: 2_000, maxQueued: 2 });
    await db.ping();
  }, START_TIMEOUT_MS);

  afterAll(() => db.close());

  /** Hold the only connection in a transaction until the returned gate opens. */
  async function holdConnection() {
    const g = gate();
    const entered = gate();
    const held = db.transaction(async (tx) => {
      await tx.execute`select 1`;
      entered.open();
      await g.opened;
    });
    await entered.opened;
    return {
      release: async () => {
        g.open();
        await held;
      },
    };
  }

  it('answers 503 DB_POOL_EXHAUSTED when no connection frees up within acquireTimeoutMs', async () => {
    const hold = await holdConnection();
    const err = await db.fetchval`select 1`.catch((e: unknown) => e);
    await hold.release();
    expect(err).toBeInstanceOf(DatabasePoolExhaustedError);
    expect(err).toMatchObject({ status: 503, code: ErrorCode.dbPoolExhausted });
    expect((err as DatabasePoolExhaustedError).error).toEqual({ reason: 'timeout' });
  });

  it('refuses at once, without waiting, when the wait queue is full', async () => {
    const hold = await holdConnection();
    const waiting = [db.fetchval`select 1`, db.fetchval`select 2`].map((p) =>
      p.catch((e: unknown) => e),
    );
    const err = await db.fetchval`select 3`.catch((e: unknown) => e);
    expect((err as DatabasePoolExhaustedError).error).toEqual({ reason: 'queue-full' });
    await hold.release();
    // The two that fit in the queue were served once the connection came back.
    expect(await Promise.all(waiting)).toEqual([1, 2]);
  });

  it('serves waiting queries in arrival order', async () => {
    const hold = await holdConnection();
    const order: number[] = [];
    const queued = [1, 2].map((i) => db.fetchval`select ${i}::int`.then(() => order.push(i)));
    await hold.release();
    await Promise.all(queued);
    expect(order).toEqual([1, 2]);
  });

  it('gives the connection back when an acquire callback throws', async () => {
    await expect(
      db.acquire(async (q) => {
        await q.execute`select 1`;
        throw new Error('scope failed');
      }),
    ).rejects.toThrow('scope failed');
    // With one connection, a leaked one would make this wait out acquireTimeoutMs and fail.
    await expect(db.acquire((q) => q.fetchval`select 1`)).resolves.toBe(1);
  });

  it('gives the connection back when a statement fails', async () => {
    await expect(db.execute`select * from no_such_table_anywhere`).rejects.toMatchObject({
      status: 500,
    });
    await expect(db.fetchval`select 1`).resolves.toBe(1);
  });
});

describe.each(engines)('closing on $name', (engine) => {
  it(
    'fails every later call with 503 DB_UNAVAILABLE',
    async () => {
      const db = engine.open();
      await db.ping();
      await db.close();
      const err = await db.fetchval`select 1`.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect(err).toMatchObject({ status: 503, code: ErrorCode.dbUnavailable });
      await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    },
    START_TIMEOUT_MS,
  );
});

describe.skipIf(!engines.some((e) => e.name === 'postgres'))('statement timeout', () => {
  it('cancels a statement that runs too long with 503 DB_TIMEOUT', async () => {
    const db = createDatabase({ url: process.env.DATABASE_URL, statementTimeoutMs: 50 });
    try {
      const err = await db.execute`select pg_sleep(5)`.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseTimeoutError);
      expect(err).toMatchObject({ status: 503, code: ErrorCode.dbTimeout });
    } finally {
      await db.close();
    }
  });
});

describe('unreachable PostgreSQL', () => {
  it('fails fast with 503 DB_UNAVAILABLE instead of hanging', async () => {
    const port = await closedPort();
    const db = createDatabase({
      url: `postgres://postgres@127.0.0.1:${port}/none`,
      connectTimeoutMs: 1_000,
    });
    try {
      const err = await db.fetchval`select 1`.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect(err).toMatchObject({ status: 503, code: ErrorCode.dbUnavailable });
      await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(db.acquire(async () => 1)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(db.ping()).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await db.close();
    }
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from 'wharf';
import { createDatabase, type Database, useDatabase } from 'wharf/db';
import { sample } from './helpers.js';

const START_TIMEOUT_MS = 120_000;

describe('database metrics through useDatabase', () => {
  let db: Database;
  const service = createService({
    name: 'stock',
    config: { log: { level: 'silent' } },
    routes: [],
  });

  beforeAll(async () => {
    db = useDatabase(service, createDatabase(), { name: 'main' });
    await db.ping();
  }, START_TIMEOUT_MS);
  afterAll(() => db.close());

  it('reads the pool size, idle connections and waiting callers at scrape time', async () => {
    const registry = service.metrics;
    const labels = { db: 'main' };
    expect(await sample(registry, 'db_pool_size', labels)).toBe(1);
    expect(await sample(registry, 'db_pool_idle', labels)).toBe(1);
    expect(await sample(registry, 'db_pool_waiting', labels)).toBe(0);

    let release = () => {};
    const held = db.acquire(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = db.fetchval`select 1`;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await sample(registry, 'db_pool_idle', labels)).toBe(0);
    expect(await sample(registry, 'db_pool_waiting', labels)).toBe(1);
    release();
    await held;
    await queued;
    expect(await sample(registry, 'db_pool_idle', labels)).toBe(1);
    expect(await sample(registry, 'db_pool_waiting', labels)).toBe(0);
  });

  it('times every statement by outcome', async () => {
    const registry = service.metrics;
    const ok = { db: 'main', outcome: 'ok' };
    const error = { db: 'main', outcome: 'error' };
    const before = (await sample(registry, 'db_query_duration_seconds_count', ok)) ?? 0;
    await db.fetchval`select 1`;
    await db.transaction(async (tx) => {
      await tx.execute`select 2`;
    });
    await expect(db.fetch`select * from no_such_table`).rejects.toThrow();
    expect(await sample(registry, 'db_query_duration_seconds_count', ok)).toBe(before + 2);
    expect(await sample(registry, 'db_query_duration_seconds_count', error)).toBe(1);
  });

  it('stops timing once the listener is removed', async () => {
    const seen: boolean[] = [];
    const remove = db.onQuery?.((_ms, ok) => seen.push(ok));
    await db.fetchval`select 1`;
    remove?.();
    await db.fetchval`select 1`;
    expect(seen).toEqual([true]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Cache } from 'wharf/cache';

/** A cache under test and a way to let its entries age. */
export interface Subject {
  cache: Cache;
  /** Let `ms` milliseconds pass for the cache's lifetimes. */
  elapse(ms: number): Promise<void>;
  /** A cache over the same backend with another key prefix. */
  other(): Cache;
  /** The `defaultTtlMs` the subject was created with. */
  defaultTtlMs: number;
}

/** What every backend promises; run against the in-memory LRU and against Redis. */
export function cacheContract(make: () => Subject | Promise<Subject>): void {
  let open: Cache[] = [];
  async function subject(): Promise<Subject> {
    const s = await make();
    const other = s.other();
    open.push(s.cache, other);
    return { ...s, other: () => other };
  }
  afterEach(async () => {
    await Promise.all(open.map((c) => c.close()));
    open = [];
  });

  describe('get, set and del', () => {
    it('misses a key never set', async () => {
      const { cache } = await subject();
      expect(await cache.get('nothing')).toBeUndefined();
    });

    it('returns a copy of what was set, as JSON', async () => {
      const { cache } = await subject();
      const value = { id: 7, tags: ['a'], at: new Date(0) };
      await cache.set('city:7', value, 10_000);
      const got = await cache.get<{ id: number }>('city:7');
      expect(got).toEqual({ id: 7, tags: ['a'], at: '1970-01-01T00:00:00.000Z' });
      expect(got).not.toBe(value);
    });

    it('keeps null but does not store undefined', async () => {
      const { cache } = await subject();
      await cache.set('null', null, 10_000);
      await cache.set('undefined', undefined, 10_000);
      expect(await cache.get('null')).toBeNull();
      expect(await cache.get('undefined')).toBeUndefined();
    });

    it('forgets an entry after its ttl', async () => {
      const { cache, elapse } = await subject();
      await cache.set('short', 1, 100);
      await elapse(20);
      expect(await cache.get('short')).toBe(1);
      await elapse(200);
      expect(await cache.get('short')).toBeUndefined();
    });

    it('uses defaultTtlMs when set() is given no ttl', async () => {
      const { cache, elapse, defaultTtlMs } = await subject();
      await cache.set('default', 'x');
      expect(await cache.get('default')).toBe('x');
      await elapse(defaultTtlMs + 100);
      expect(await cache.get('default')).toBeUndefined();
    });

    it('deletes an entry', async () => {
      const { cache } = await subject();
      await cache.set('gone', 1, 10_000);
      await cache.del('gone');
      expect(await cache.get('gone')).toBeUndefined();
    });

    it('keeps caches with other key prefixes apart', async () => {
      const { cache, other } = await subject();
      await cache.set('shared-name', 'mine', 10_000);
      expect(await other().get('shared-name')).toBeUndefined();
    });

    it('refuses a ttl that is not a positive integer', async () => {
      const { cache } = await subject();
      await expect(cache.set('k', 1, 0)).rejects.toThrow(RangeError);
      await expect(cache.wrap('k', -5, async () => 1)).rejects.toThrow(RangeError);
    });
  });

  describe('wrap', () => {
    it('calls fn on a miss, caches its value, and serves it from the cache next time', async () => {
      const { cache } = await subject();
      let calls = 0;
      const load = async () => ({ n: ++calls });
      expect(await cache.wrap('w', 10_000, load)).toEqual({ n: 1 });
      expect(await cache.wrap('w', 10_000, load)).toEqual({ n: 1 });
      expect(calls).toBe(1);
      expect(await cache.get('w')).toEqual({ n: 1 });
    });

    it('shares one call of fn among 50 concurrent callers of a missing key', async () => {
      const { cache } = await subject();
      let calls = 0;
      const load = async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { city: 'Lyon' };
      };
      const results = await Promise.all(
        Array.from({ length: 50 }, () => cache.wrap('stampede', 10_000, load)),
      );
      expect(calls).toBe(1);
      expect(results).toHaveLength(50);
      for (const r of results) expect(r).toEqual({ city: 'Lyon' });
    });

    it('rejects every waiter when fn fails, caches nothing, and calls fn again next time', async () => {
      const { cache } = await subject();
      let calls = 0;
      const failing = async (): Promise<number> => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('upstream down');
      };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, () => cache.wrap('fails', 10_000, failing)),
      );
      expect(calls).toBe(1);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toHaveProperty('message', 'upstream down');
      }
      expect(await cache.get('fails')).toBeUndefined();
      expect(await cache.wrap('fails', 10_000, async () => 42)).toBe(42);
      expect(calls).toBe(1);
    });

    it('keeps different keys apart', async () => {
      const { cache } = await subject();
      const [a, b] = await Promise.all([
        cache.wrap('a', 10_000, async () => 'A'),
        cache.wrap('b', 10_000, async () => 'B'),
      ]);
      expect([a, b]).toEqual(['A', 'B']);
    });
  });
}

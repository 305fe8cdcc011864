import { describe, expect, it } from 'vitest';
import { createCache } from 'wharf/cache';
import { cacheContract } from './contract.js';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000;
  return {
    now: () => now,
    advance: async (ms: number) => {
      now += ms;
    },
  };
}

describe('in-memory cache', () => {
  cacheContract(() => {
    const clock = manualClock();
    const config = { defaultTtlMs: 500 };
    return {
      cache: createCache(config, { now: clock.now }),
      other: () => createCache({ ...config, keyPrefix: 'other:' }, { now: clock.now }),
      elapse: clock.advance,
      defaultTtlMs: config.defaultTtlMs,
    };
  });

  it('is the backend when no redisUrl is set', async () => {
    const cache = createCache();
    expect(cache.backend).toBe('memory');
    await expect(cache.ping()).resolves.toBeUndefined();
    await cache.close();
  });

  it('holds at most maxEntries, dropping the least recently used first', async () => {
    const cache = createCache({ maxEntries: 3 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    await cache.get('a');
    await cache.set('d', 4);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
    expect(await cache.get('d')).toBe(4);
  });

  it('does not keep a value larger than maxBytes', async () => {
    const cache = createCache({ maxBytes: 1024 });
    await cache.set('big', 'x'.repeat(2000));
    await cache.set('small', 'y');
    expect(await cache.get('big')).toBeUndefined();
    expect(await cache.get('small')).toBe('y');
  });

  it('empties on close', async () => {
    const cache = createCache();
    await cache.set('k', 1);
    await cache.close();
    expect(await cache.get('k')).toBeUndefined();
  });

  it('refuses an invalid configuration', () => {
    expect(() => createCache({ maxEntries: 0 })).toThrow(/cache\.maxEntries/);
  });
});

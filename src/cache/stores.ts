import { LRUCache } from 'lru-cache';
import { closeRedis, type WharfRedis } from './redis.js';

/** Where serialized entries live. Each method rejects when the backend cannot answer. */
export interface Store {
  readonly backend: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, text: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
}

/**
 * A bounded LRU in the process. Entries are kept as JSON text, like in Redis, so a caller
 * that changes a value it got cannot change the cache, and switching backends does not
 * change what comes back (a Date is a string in both).
 */
export function memoryStore(options: MemoryStoreOptions): Store {
  const lru = new LRUCache<string, string>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (text) => Math.max(1, text.length),
    // Read the clock on every check rather than reuse a reading for 1 ms through a timer.
    ttlResolution: 0,
    ...(options.now ? { perf: { now: options.now } } : {}),
  });
  return {
    backend: 'memory',
    get: async (key) => lru.get(key),
    set: async (key, text, ttlMs) => {
      lru.set(key, text, { ttl: ttlMs });
    },
    del: async (key) => {
      lru.delete(key);
    },
    ping: async () => undefined,
    close: async () => {
      lru.clear();
    },
  };
}

export function redisStore(redis: WharfRedis, closeTimeoutMs: number): Store {
  return {
    backend: 'redis',
    get: async (key) => {
      await redis.usable();
      return (await redis.get(key)) ?? undefined;
    },
    set: async (key, text, ttlMs) => {
      await redis.usable();
      await redis.set(key, text, 'PX', ttlMs);
    },
    del: async (key) => {
      await redis.usable();
      await redis.del(key);
    },
    ping: async () => {
      await redis.usable();
      await redis.ping();
    },
    close: () => closeRedis(redis, closeTimeoutMs),
  };
}

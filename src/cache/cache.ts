import { type CacheConfig, resolveCacheConfig } from './config.js';
import { createRedisClient, type RedisLogger } from './redis.js';
import { memoryStore, redisStore, type Store } from './stores.js';

/** A cache of JSON values with a lifetime each. Redis failures are misses, never errors. */
export interface Cache {
  /** `memory` (a bounded LRU in this process) or `redis` (shared by every replica). */
  readonly backend: 'memory' | 'redis';
  /** The value, or undefined when it is missing, expired, or Redis did not answer. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Store a value as JSON for `ttlMs` (`cache.defaultTtlMs` when omitted). `undefined` is
   * not stored; a failed write to Redis is logged and dropped.
   */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Remove a value; a failed delete on Redis is logged. */
  del(key: string): Promise<void>;
  /**
   * The cached value, or `fn()`'s, which is then cached for `ttlMs`. Concurrent calls for
   * the same key in this process share one read and one call of `fn` (the first caller's);
   * a rejection of `fn` reaches every one of them and nothing is cached.
   */
  wrap<T>(key: string, ttlMs: number, fn: () => Promise<T> | T): Promise<T>;
  /** Resolves when the backend answers (a Redis round trip); for readiness. */
  ping(): Promise<void>;
  /** Release the backend: clear the LRU, or close the Redis connection. */
  close(): Promise<void>;
}

export interface CacheOptions {
  /**
   * Where Redis outages are reported (a `warn` line when reads start failing, an `info`
   * line when they work again), e.g. `service.log`. Silent when omitted.
   */
  logger?: RedisLogger;
  /** Clock of the in-memory entries' lifetimes, in milliseconds (tests). */
  now?: () => number;
}

const silent: RedisLogger = { warn() {}, info() {} };

/**
 * Create a cache from the `cache` configuration section: on Redis when `redisUrl` is set,
 * else in a bounded in-memory LRU.
 *
 * ```ts
 * const cache = useCache(service, createCache(config.cache, { logger: service.log }));
 * const city = await cache.wrap(`city:${id}`, 30_000, () => loadCity(id));
 * ```
 */
export function createCache(config: Partial<CacheConfig> = {}, options: CacheOptions = {}): Cache {
  const settings = resolveCacheConfig(config);
  const logger = options.logger ?? silent;
  const store = settings.redisUrl
    ? redisStore(
        createRedisClient({
          url: settings.redisUrl,
          connectTimeoutMs: settings.connectTimeoutMs,
          commandTimeoutMs: settings.commandTimeoutMs,
          logger,
          component: 'cache',
        }),
        settings.commandTimeoutMs,
      )
    : memoryStore({
        maxEntries: settings.maxEntries,
        maxBytes: settings.maxBytes,
        now: options.now,
      });
  return cacheOver(store, settings, logger);
}

function cacheOver(store: Store, settings: CacheConfig, logger: RedisLogger): Cache {
  const prefix = settings.keyPrefix;
  const outage = outageLog(logger, store.backend);
  const inflight = new Map<string, Promise<unknown>>();

  async function get<T>(key: string): Promise<T | undefined> {
    let text: string | undefined;
    try {
      text = await store.get(prefix + key);
    } catch (err) {
      outage.failed('get', err);
      return undefined;
    }
    outage.ok();
    return text === undefined ? undefined : parse<T>(text);
  }

  async function set(key: string, value: unknown, ttlMs = settings.defaultTtlMs): Promise<void> {
    assertTtl(ttlMs);
    const text = JSON.stringify(value);
    if (text === undefined) return;
    try {
      await store.set(prefix + key, text, ttlMs);
      outage.ok();
    } catch (err) {
      outage.failed('set', err);
    }
  }

  async function load<T>(key: string, ttlMs: number, fn: () => Promise<T> | T): Promise<T> {
    const hit = await get<T>(key);
    if (hit !== undefined) return hit;
    const value = await fn();
    await set(key, value, ttlMs);
    return value;
  }

  return {
    backend: store.backend,
    get,
    set,
    async del(key) {
      try {
        await store.del(prefix + key);
        outage.ok();
      } catch (err) {
        outage.failed('del', err);
      }
    },
    wrap<T>(key: string, ttlMs: number, fn: () => Promise<T> | T): Promise<T> {
      const joined = inflight.get(key);
      if (joined) return joined as Promise<T>;
      try {
        assertTtl(ttlMs);
      } catch (err) {
        return Promise.reject(err);
      }
      const flight = load(key, ttlMs, fn);
      inflight.set(key, flight);
      const done = () => inflight.delete(key);
      flight.then(done, done);
      return flight;
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/** An entry another writer left in Redis that is not JSON is a miss, not an error. */
function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new RangeError(`cache ttl must be a positive integer of milliseconds, got ${ttlMs}`);
  }
}

/** One warning when the backend starts failing, one line when it answers again. */
function outageLog(logger: RedisLogger, backend: string) {
  let failing = false;
  return {
    failed(op: string, err: unknown) {
      if (failing) return;
      failing = true;
      logger.warn(
        { component: 'cache', backend, op, err },
        'cache unavailable: reads miss and writes are dropped until it answers again',
      );
    },
    ok() {
      if (!failing) return;
      failing = false;
      logger.info({ component: 'cache', backend }, 'cache available again');
    },
  };
}

import { Redis } from 'ioredis';

/** Where the cache and the rate limiter report Redis going away and coming back. */
export interface RedisLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface RedisClientOptions {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  logger: RedisLogger;
  /** Named in the log lines, e.g. `cache` or `rate-limit`. */
  component: string;
}

/** Reconnection attempts wait longer each time, up to this. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A Redis connection for work that must never hold a request up: a command sent while
 * disconnected fails at once instead of waiting in a queue, and one sent while connected
 * fails after `commandTimeoutMs`. Callers treat a failure as "no answer" (a cache miss, a
 * request let through). It reconnects in the background for as long as it lives.
 */
export function createRedisClient(options: RedisClientOptions): WharfRedis {
  const redis = new Redis(options.url, {
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  });
  const where = { component: options.component, redis: redactUrl(options.url) };
  let down = false;
  // One line per outage, not one per failed reconnection attempt. Listening also keeps
  // ioredis from printing "Unhandled error event" to stderr.
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    options.logger.warn({ ...where, err }, 'redis unavailable');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    options.logger.info(where, 'redis available again');
  });
  const first = firstConnection(redis, options.connectTimeoutMs);
  return Object.assign(redis, {
    usable: () => (redis.status === 'ready' ? Promise.resolve() : first),
  });
}

/** A client that can wait for its first connection. */
export type WharfRedis = Redis & {
  /**
   * Resolves at once when connected. Before the first connection was made or failed, it
   * waits for that outcome (at most the connect timeout), so commands sent just after
   * start-up are not lost; later outages do not wait: commands fail fast.
   */
  usable(): Promise<void>;
};

function firstConnection(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(settle, timeoutMs);
    timer.unref();
    function settle() {
      clearTimeout(timer);
      redis.off('ready', settle);
      redis.off('error', settle);
      redis.off('end', settle);
      resolve();
    }
    redis.once('ready', settle);
    redis.once('error', settle);
    redis.once('end', settle);
  });
}

/** Close politely when connected (pending replies arrive), at once otherwise. */
export async function closeRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([redis.quit().catch(() => undefined), late]);
    clearTimeout(timer);
  }
  redis.disconnect();
}

/** Log lines never carry a password. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}

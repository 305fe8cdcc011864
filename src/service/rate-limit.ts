import type { FastifyInstance } from 'fastify';
import type { CoreConfig } from '../config/schema.js';
import { RateLimitedError, RouteDefinitionError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

export type RateLimitConfig = CoreConfig['rateLimit'];

/** A route's own limit, or `false` to exempt it from the global one. */
export type RouteRateLimit = { max: number; windowMs: number } | false;

/** Longest wait for the first connection to Redis at start. */
const CONNECT_TIMEOUT_MS = 2_000;

export interface RateLimitOptions {
  settings: RateLimitConfig;
  /** Where the counters live; empty keeps them in memory. */
  redisUrl: string;
  /** Service name: replicas of one service share their counters in Redis. */
  name: string;
  /** Whether some route declares its own limit. */
  anyRouteLimit: boolean;
  log: Logger;
}

/**
 * Count requests per client address with @fastify/rate-limit, in Redis when a URL is set.
 * Registered only when the global limit is on or a route has its own limit: a service
 * without limits pays nothing per request, and a limited route pays one onRequest hook.
 * When Redis fails, requests are let through (the limiter must not take the service
 * down); the outage is logged once.
 */
export async function installRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<boolean> {
  const { settings } = options;
  if (!settings.global && !options.anyRouteLimit) return false;
  // Imported here, not at the top: a service without limits starts without the plugin,
  // one without Redis without ioredis (about 100 ms of imports together).
  const { default: rateLimit } = await import('@fastify/rate-limit');
  const redis = options.redisUrl ? await connectCounters(app, options) : undefined;
  await app.register(rateLimit, {
    global: settings.global,
    max: settings.max,
    timeWindow: settings.windowMs,
    hook: 'onRequest',
    skipOnError: true,
    ...(redis ? { redis, nameSpace: `${settings.keyPrefix}${options.name}:` } : {}),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  return true;
}

/** The Redis connection holding the counters, closed with the app. */
async function connectCounters(app: FastifyInstance, options: RateLimitOptions) {
  const { closeRedis, createRedisClient } = await import('../cache/redis.js');
  const { commandTimeoutMs } = options.settings;
  const redis = createRedisClient({
    url: options.redisUrl,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs,
    logger: options.log,
    component: 'rate-limit',
  });
  app.addHook('onClose', () => closeRedis(redis, commandTimeoutMs));
  // Counting starts with the first request, not some milliseconds later.
  await redis.usable();
  return redis;
}

/** The plugin's route config for a route's own option; a limit that cannot work fails the start. */
export function routeRateLimit(
  name: string,
  limit: RouteRateLimit,
): { max: number; timeWindow: number } | false {
  if (limit === false) return false;
  for (const key of ['max', 'windowMs'] as const) {
    if (!Number.isSafeInteger(limit[key]) || limit[key] < 1) {
      throw new RouteDefinitionError(
        `Route "${name}": rateLimit.${key} must be a positive integer, got ${limit[key]}`,
      );
    }
  }
  return { max: limit.max, timeWindow: limit.windowMs };
}

import type { Service } from '../service/index.js';
import type { Cache } from './cache.js';

export interface UseCacheOptions {
  /** Name of the readiness check; `cache` unless given. */
  name?: string;
  /**
   * Report Redis in readiness (default true). A service that serves correctly, only
   * slower, without its cache may pass false, so a Redis outage does not take every
   * replica out of the load balancer at once.
   */
  readiness?: boolean;
}

/**
 * Tie a cache to a service's lifecycle: on Redis, readiness reports whether Redis answers;
 * the cache closes after the server stopped taking requests and in-flight ones finished.
 *
 * ```ts
 * const cache = useCache(service, createCache(config.cache, { logger: service.log }));
 * ```
 */
export function useCache<C extends Cache>(
  service: Pick<Service, 'health' | 'onStop'>,
  cache: C,
  options: UseCacheOptions = {},
): C {
  if (cache.backend === 'redis' && options.readiness !== false) {
    service.health.register(options.name ?? 'cache', () => cache.ping());
  }
  service.onStop(() => cache.close());
  return cache;
}

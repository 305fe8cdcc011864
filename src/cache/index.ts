export { type Cache, type CacheOptions, createCache } from './cache.js';
export { type CacheConfig, resolveCacheConfig } from './config.js';
export type { RedisLogger } from './redis.js';
export { type UseCacheOptions, useCache } from './service.js';

import Value from 'typebox/value';
import { type CoreConfig, CoreConfigSchema } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';

/** The `cache` section of Wharf's configuration. */
export type CacheConfig = CoreConfig['cache'];

/** Fill the `cache` defaults into a partial section and check it. */
export function resolveCacheConfig(partial: Partial<CacheConfig> = {}): CacheConfig {
  const schema = CoreConfigSchema.properties.cache;
  const value = Value.Default(schema, Value.Clone(partial));
  const first = Value.Errors(schema, value)[0];
  if (first) {
    const key = first.instancePath.slice(1).replaceAll('/', '.') || '(root)';
    throw new ConfigError(`Invalid configuration: cache.${key} ${first.message}`);
  }
  return value as CacheConfig;
}

import Value from 'typebox/value';
import { ConfigError } from '../errors/index.js';
import { type CoreConfig, CoreConfigSchema } from './schema.js';

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Fill Wharf's defaults into a partial config and check it; used when no loader ran. */
export function resolveCoreConfig(partial: DeepPartial<CoreConfig> = {}): CoreConfig {
  const value = Value.Default(CoreConfigSchema, Value.Clone(partial));
  const first = Value.Errors(CoreConfigSchema, value)[0];
  if (first) {
    const key = first.instancePath.slice(1).replaceAll('/', '.') || '(root)';
    throw new ConfigError(`Invalid configuration: ${key} ${first.message}`);
  }
  return value as CoreConfig;
}

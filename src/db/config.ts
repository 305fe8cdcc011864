import Value from 'typebox/value';
import { type CoreConfig, CoreConfigSchema } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';

/** The `db` section of Wharf's configuration. */
export type DbConfig = CoreConfig['db'];

/** Fill the `db` defaults into a partial section and check it. */
export function resolveDbConfig(partial: Partial<DbConfig> = {}): DbConfig {
  const schema = CoreConfigSchema.properties.db;
  const value = Value.Default(schema, Value.Clone(partial));
  const first = Value.Errors(schema, value)[0];
  if (first) {
    const key = first.instancePath.slice(1).replaceAll('/', '.') || '(root)';
    throw new ConfigError(`Invalid configuration: db.${key} ${first.message}`);
  }
  return value as DbConfig;
}

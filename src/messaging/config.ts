import Value from 'typebox/value';
import { type CoreConfig, CoreConfigSchema } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';

/** The `messaging` section of Wharf's configuration. */
export type MessagingConfig = CoreConfig['messaging'];

/** Fill the `messaging` defaults into a partial section and check it. */
export function resolveMessagingConfig(partial: Partial<MessagingConfig> = {}): MessagingConfig {
  const schema = CoreConfigSchema.properties.messaging;
  const value = Value.Default(schema, Value.Clone(partial));
  const first = Value.Errors(schema, value)[0];
  if (first) {
    const key = first.instancePath.slice(1).replaceAll('/', '.') || '(root)';
    throw new ConfigError(`Invalid configuration: messaging.${key} ${first.message}`);
  }
  return value as MessagingConfig;
}

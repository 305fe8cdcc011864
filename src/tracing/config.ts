import { type DeepPartial, resolveCoreConfig } from '../config/defaults.js';
import type { CoreConfig } from '../config/schema.js';

/** The `tracing` section of Wharf's configuration. */
export type TracingConfig = CoreConfig['tracing'];

/** Fill the defaults into a partial `tracing` section and check it (ConfigError when invalid). */
export function resolveTracingConfig(partial: DeepPartial<TracingConfig> = {}): TracingConfig {
  return resolveCoreConfig({ tracing: partial }).tracing;
}

/** The OTLP/HTTP traces URL: `otlpUrl` as given, else `otlpEndpoint` + `/v1/traces`. */
export function otlpTracesUrl(config: Pick<TracingConfig, 'otlpUrl' | 'otlpEndpoint'>): string {
  if (config.otlpUrl !== '') return config.otlpUrl;
  return `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
}

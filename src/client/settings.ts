import { type DeepPartial, resolveCoreConfig } from '../config/defaults.js';
import type { CoreConfig } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';

/** The `client` section of the configuration (see docs/configuration.md). */
export type ClientConfig = CoreConfig['client'];

/**
 * How calls to one upstream behave. Defaults: 64 connections, connect 2 s, headers 5 s,
 * body pauses 5 s, 10 s per call, 2 retries from 100 ms up to 2 s, a breaker that opens
 * after 5 consecutive failures for 10 s, responses up to 10 MiB.
 */
export type ClientSettings = Omit<ClientConfig, 'upstreams'>;

/** Any configuration with a (partial) `client` section, e.g. a service's `config`. */
export interface ClientConfigSource {
  client?: DeepPartial<ClientConfig>;
}

/** Where one upstream lives and how to call it, once config and overrides are merged. */
export interface ResolvedUpstream {
  /** Base URL from `client.upstreams.<name>.url`; undefined when the config names none. */
  url: string | undefined;
  settings: ClientSettings;
}

/** Wharf's defaults for the `client` settings. */
export function defaultClientSettings(): ClientSettings {
  return withoutUpstreams(resolveCoreConfig().client);
}

/**
 * The settings of upstream `name`: `client.*`, overridden by `client.upstreams.<name>.*`.
 * Throws ConfigError when the section is invalid.
 */
export function resolveUpstream(source: ClientConfigSource, name: string): ResolvedUpstream {
  const client = resolveCoreConfig({ client: source.client }).client;
  const { url, ...overrides } = client.upstreams[name] ?? { url: undefined };
  return { url, settings: { ...withoutUpstreams(client), ...definedOnly(overrides) } };
}

/** Check settings given in code as the configuration's are; throws ConfigError. */
export function checkSettings(settings: ClientSettings): ClientSettings {
  return withoutUpstreams(resolveCoreConfig({ client: settings }).client);
}

/** The error for a name the configuration does not give a URL. */
export function missingUpstreamUrl(name: string): ConfigError {
  return new ConfigError(
    `Invalid configuration: client.upstreams.${name}.url is missing: no base URL for upstream "${name}" ` +
      `(set WHARF_CLIENT_UPSTREAMS='{"${name}":{"url":"http://…"}}' or add it to the config module)`,
  );
}

function withoutUpstreams(client: ClientConfig): ClientSettings {
  const { upstreams: _, ...settings } = client;
  return settings;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import { Registry } from 'prom-client';
import type { CoreConfig } from '../config/schema.js';
import type { Service } from '../service/create.js';
import type { RequestObserver } from '../service/request-observer.js';
import type { AnyRoute } from '../service/route.js';
import { httpMetrics } from './http.js';
import { collectProcessMetrics } from './process.js';
import { type MetricsContext, normalBuckets } from './registry.js';
import { metricsRoute } from './route.js';

/** A service's metrics as `createService` wires them. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** The metrics route, to be registered with the service's own. */
  readonly routes: readonly AnyRoute[];
  /** The HTTP metrics, observed on every request. */
  readonly http: RequestObserver;
  /** Start the process metrics' background sampling. */
  start(): void;
  /** Stop it; the registry stays readable. */
  stop(): void;
}

/**
 * A registry of the service's own (never prom-client's global one: several services may
 * share a process), or undefined when `metrics.enabled` is false.
 */
export function createServiceMetrics(config: CoreConfig['metrics']): ServiceMetrics | undefined {
  if (!config.enabled) return undefined;
  const registry = new Registry();
  const ctx = contextOf(registry, config);
  let stopProcess: (() => void) | undefined;
  return {
    registry,
    routes: [metricsRoute(registry, config.path)],
    http: httpMetrics(ctx, { skipRoute: config.path }),
    start() {
      stopProcess ??= collectProcessMetrics(registry, config.prefix);
    },
    stop() {
      stopProcess?.();
    },
  };
}

function contextOf(registry: Registry, config: CoreConfig['metrics']): MetricsContext {
  return { registry, prefix: config.prefix, buckets: normalBuckets(config.buckets) };
}

/**
 * What the `use*` functions (`useDatabase`, `useClients` …) read of a service to add their
 * metrics. Optional, so a stand-in with only the lifecycle hooks still fits them.
 */
export type MetricsSource = Partial<Pick<Service, 'metrics' | 'config'>>;

/** Where a `use*` function registers its metrics, or undefined when the service collects none. */
export function metricsOf(service: MetricsSource): MetricsContext | undefined {
  const { metrics, config } = service;
  if (!metrics || !config) return undefined;
  return contextOf(metrics, config.metrics);
}

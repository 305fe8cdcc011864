/**
 * `wharf/metrics`: Prometheus metrics with prom-client, one registry per service.
 *
 * `createService` makes the registry (`service.metrics`), serves it at `metrics.path`,
 * times every request and adds the process metrics; `useDatabase`, `useClients`,
 * `useMessaging` and `useScheduler` add theirs. Application metrics go in the same
 * registry:
 *
 * ```ts
 * import { Counter } from 'wharf/metrics';
 * const orders = new Counter({ name: 'orders_total', help: 'Orders taken.', registers: [service.metrics] });
 * ```
 *
 * The names, labels and sample alerts are in docs/metrics.md.
 */
export { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
export { CIRCUIT_STATE_VALUES, observeClients } from './client.js';
export { observeDatabase } from './db.js';
export { UNMATCHED_ROUTE } from './http.js';
export { observeMessaging } from './messaging.js';
export { type MetricsContext, SampledGauge } from './registry.js';
export { observeScheduler } from './schedule.js';
export { type MetricsSource, metricsOf } from './service.js';

import { context } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import type { CoreConfig } from '../config/schema.js';
import type { Logger } from '../log/index.js';
import type { RequestObserver } from '../service/request-observer.js';
import type { Tracing } from './create.js';
import { requestTracing } from './server.js';

/** Tracing settings of `createService` beyond the configuration. */
export interface ServiceTracingOptions {
  /**
   * An exporter used instead of the one `tracing.exporter` names, e.g. an
   * `InMemorySpanExporter` in tests; tracing is then on whatever the configuration says.
   */
  exporter?: SpanExporter;
}

export interface TraceServiceSettings {
  name: string;
  version: string;
  config: CoreConfig;
  log: Logger;
  options?: ServiceTracingOptions;
}

interface LifecycleHooks {
  onStart(hook: () => Promise<void> | void): unknown;
  onStop(hook: () => Promise<void> | void): unknown;
}

/** What `traceService` installed. */
export interface ServiceTracing {
  /** The service's tracing, once its first start hook made it. */
  current(): Tracing | undefined;
  /** What runs on every request: its server span. */
  observer: RequestObserver;
  /**
   * Run `fn` where spans started through the global API go to this service. Timers and
   * connections made inside keep that context, so a scheduler or consumer started here
   * traces for this service even when others share the process.
   */
  within<T>(fn: () => T): T;
}

/**
 * Trace a service's requests when `tracing.exporter` is not `none` or an exporter is
 * given; otherwise install nothing, so tracing that is off costs nothing per request.
 *
 * The tracer provider is created by the first start hook, so the OpenTelemetry SDK and
 * exporters are only loaded by services that trace, and it is shut down (flushed, within
 * `tracing.exportTimeoutMs`) by the last stop hook, after the other hooks' spans ended.
 * Returns the handle's getter (undefined until started) and what runs on every request,
 * or undefined when tracing is off.
 */
export function traceService(
  app: FastifyInstance,
  lifecycle: LifecycleHooks,
  settings: TraceServiceSettings,
): ServiceTracing | undefined {
  const { config, options } = settings;
  if (!options?.exporter && config.tracing.exporter === 'none') return undefined;
  let tracing: Tracing | undefined;
  const current = () => tracing;
  const observer = requestTracing(app, current);
  lifecycle.onStart(async () => {
    const { createTracing } = await import('./create.js');
    tracing = createTracing(config.tracing, {
      serviceName: settings.name,
      serviceVersion: settings.version,
      environment: config.env,
      logger: settings.log,
      exporter: options?.exporter,
    });
  });
  lifecycle.onStop(async () => {
    await tracing?.shutdown();
  });
  return {
    current,
    observer,
    within(fn) {
      return tracing ? context.with(tracing.contextOf(), fn) : fn();
    },
  };
}

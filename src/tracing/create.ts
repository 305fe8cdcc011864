import { createRequire } from 'node:module';
import {
  type Context,
  context,
  type Span,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import type { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { DeepPartial } from '../config/defaults.js';
import type { Logger } from '../log/index.js';
import { otlpTracesUrl, resolveTracingConfig, type TracingConfig } from './config.js';
import { type Registration, registerGlobally, routeTo, unregisterGlobally } from './global.js';
import { createSpanPipeline, type DropReason } from './pipeline.js';
import { createPropagator } from './propagator.js';
import { createSampler } from './sampler.js';
import { SpanLinesExporter } from './span-lines.js';

export interface TracingOptions {
  /** `service.name` of every span, unless `tracing.serviceName` (`OTEL_SERVICE_NAME`) is set. */
  serviceName: string;
  /** `service.version` of every span. */
  serviceVersion?: string;
  /** `deployment.environment.name` of every span; a service passes `config.env`. */
  environment?: string;
  /** Where dropped spans and failed exports are reported (at most once a minute). */
  logger?: Pick<Logger, 'warn'>;
  /**
   * An exporter used instead of the one `tracing.exporter` names, e.g. an
   * `InMemorySpanExporter` in tests. It is batched and guarded like the others.
   */
  exporter?: SpanExporter;
}

/** A running tracer provider, registered with the global OpenTelemetry API. */
export interface Tracing {
  /** The SDK provider: this service's resource, sampler and span pipeline. */
  readonly provider: BasicTracerProvider;
  /** The trace headers this service reads and writes (`tracing.propagators`). */
  readonly propagator: TextMapPropagator;
  /** `service.name` of the spans. */
  readonly serviceName: string;
  readonly config: TracingConfig;
  /**
   * False when another OpenTelemetry SDK already owned the global API: spans started
   * through the API (database queries, clients, `logged()`) then go to that SDK.
   */
  readonly registered: boolean;
  /**
   * `parent` (the active context unless given) with `span` active, in which spans
   * started through the global API go to this provider.
   */
  contextWith(span: Span, parent?: Context): Context;
  /**
   * `parent` (the active context unless given) in which spans started through the global
   * API go to this provider: where a service runs work of its own outside a request (start
   * hooks, and so its scheduler's timers and its consumers).
   */
  contextOf(parent?: Context): Context;
  /** Export what is queued now; failures only count as dropped spans. */
  forceFlush(): Promise<void>;
  /**
   * Unregister from the global API, flush what is queued and shut the exporter down,
   * all within `tracing.exportTimeoutMs`; what is still unsent then counts as dropped.
   */
  shutdown(): Promise<void>;
  /**
   * Spans lost so far: the queue was full (`tracing.maxQueueSize`), an export failed or
   * took longer than `tracing.exportTimeoutMs`, or they were still queued at shutdown.
   */
  dropped(): number;
}

/** Reports of dropped spans come at most this often, with the count since the last one. */
const DROP_REPORT_INTERVAL_MS = 60_000;

/**
 * Create a tracer provider from the `tracing` configuration and register it with the
 * global OpenTelemetry API (provider, propagator and an AsyncLocalStorage context
 * manager), which is where database queries, service clients and `logged()` find it.
 * Several may be registered in one process, one per service; see `registerGlobally`.
 *
 * Spans are sampled by `tracing.sampler` and exported in batches off the request path:
 * the queue is bounded and an exporter that fails or hangs costs dropped spans, counted
 * by `dropped()`, never a slower request. With `exporter: 'none'` (and no exporter
 * option) spans are created and propagated but sent nowhere.
 *
 * ```ts
 * const tracing = createTracing(config.tracing, { serviceName: 'cities', logger: log });
 * // …
 * await tracing.shutdown();
 * ```
 */
export function createTracing(
  config: DeepPartial<TracingConfig>,
  options: TracingOptions,
): Tracing {
  const resolved = resolveTracingConfig(config);
  const serviceName = resolved.serviceName || options.serviceName;
  const exporter = options.exporter ?? configuredExporter(resolved);
  const pipeline = exporter
    ? createSpanPipeline(exporter, {
        maxQueueSize: resolved.maxQueueSize,
        maxExportBatchSize: resolved.maxExportBatchSize,
        scheduledDelayMs: resolved.scheduledDelayMs,
        exportTimeoutMs: resolved.exportTimeoutMs,
        onDrop: dropReporter(options.logger),
      })
    : undefined;
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes(resourceAttributes(serviceName, options)),
    ),
    sampler: createSampler(resolved),
    spanProcessors: pipeline ? [pipeline.processor] : [],
    forceFlushTimeoutMillis: resolved.exportTimeoutMs,
  });
  const propagator = createPropagator(resolved.propagators);
  const registration: Registration = { provider, propagator };
  const registered = registerGlobally(registration);
  if (!registered) {
    options.logger?.warn(
      'Another OpenTelemetry SDK owns the global API: spans started through it go there',
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    provider,
    propagator,
    serviceName,
    config: resolved,
    registered,
    contextWith(span, parent) {
      return trace.setSpan(this.contextOf(parent), span);
    },
    contextOf(parent = context.active()) {
      return routeTo(parent, registration);
    },
    async forceFlush() {
      await provider.forceFlush().catch(() => {});
    },
    shutdown() {
      stopping ??= (async () => {
        if (registered) unregisterGlobally(registration);
        // Bounded by the pipeline; a failure there is already counted as dropped spans.
        await provider.shutdown().catch(() => {});
        const dropped = pipeline?.dropped() ?? 0;
        if (dropped > 0) {
          options.logger?.warn(
            { dropped_spans: dropped },
            'tracing dropped spans since it started',
          );
        }
      })();
      return stopping;
    },
    dropped: () => pipeline?.dropped() ?? 0,
  };
}

// The exporters' packages take a good part of a second to load (the OTLP one most); only
// the configured one is, when the provider is made, which must stay synchronous.
const load = createRequire(import.meta.url);

function configuredExporter(config: TracingConfig): SpanExporter | undefined {
  switch (config.exporter) {
    case 'none':
      return undefined;
    case 'console':
      return new SpanLinesExporter({ file: config.file || undefined });
    case 'zipkin': {
      const { ZipkinExporter: Zipkin } = load('@opentelemetry/exporter-zipkin') as {
        ZipkinExporter: typeof ZipkinExporter;
      };
      return new Zipkin({ url: config.zipkinUrl });
    }
    case 'otlp': {
      const { OTLPTraceExporter: Otlp } = load('@opentelemetry/exporter-trace-otlp-http') as {
        OTLPTraceExporter: typeof OTLPTraceExporter;
      };
      return new Otlp({
        url: otlpTracesUrl(config),
        timeoutMillis: config.exportTimeoutMs,
      });
    }
  }
}

function resourceAttributes(serviceName: string, options: TracingOptions) {
  const attributes: Record<string, string> = { [ATTR_SERVICE_NAME]: serviceName };
  if (options.serviceVersion) attributes[ATTR_SERVICE_VERSION] = options.serviceVersion;
  if (options.environment) {
    attributes['deployment.environment.name'] = options.environment;
    // The name before semantic conventions 1.27; many backends still read only this one.
    attributes['deployment.environment'] = options.environment;
  }
  return attributes;
}

/** Warn about lost spans without letting a broken exporter flood the log. */
function dropReporter(logger: Pick<Logger, 'warn'> | undefined) {
  let last = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return (count: number, reason: DropReason, error?: Error): void => {
    unreported += count;
    const now = performance.now();
    if (!logger || now - last < DROP_REPORT_INTERVAL_MS) return;
    last = now;
    logger.warn(
      { dropped_spans: unreported, reason, ...(error ? { err: error } : {}) },
      'tracing dropped spans',
    );
    unreported = 0;
  };
}

export {
  InMemorySpanExporter,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
export { resolveTracingConfig, type TracingConfig } from './config.js';
export { createTracing, type Tracing, type TracingOptions } from './create.js';
export { type DropReason, MAX_PENDING_EXPORTS } from './pipeline.js';
export { createPropagator, type PropagatorName } from './propagator.js';
export { createSampler } from './sampler.js';
export { installRequestTracing, SERVER_TRACER_NAME } from './server.js';
export type { ServiceTracingOptions } from './service.js';
export { TRACER_NAME, withSpan } from './span.js';
export {
  type SpanLine,
  SpanLinesExporter,
  type SpanLinesExporterOptions,
  spanLine,
} from './span-lines.js';

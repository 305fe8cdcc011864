import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { messageOf } from '../errors/index.js';

/** The instrumentation scope of spans made by `withSpan` and `logged()`. */
export const TRACER_NAME = 'wharf';

/**
 * Run `fn` inside a new span, active for everything `fn` awaits, so the spans started
 * there become its children. A thrown error is recorded on the span (status error) and
 * rethrown unchanged.
 *
 * Only `@opentelemetry/api` is used: without a registered SDK (tracing off) the span is
 * a no-op and the cost is a few allocations.
 */
export function withSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T>,
  attributes?: Attributes,
): Promise<T> {
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(name, { attributes }, async (span): Promise<T> => {
      try {
        return await fn(span);
      } catch (err) {
        recordError(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
}

/** Mark `span` as failed by `err`. */
export function recordError(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const message = messageOf(err);
  span.recordException(err instanceof Error ? err : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

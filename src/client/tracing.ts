import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { UpstreamBase } from './target.js';

/** The instrumentation scope of every client span. */
export const TRACER_NAME = 'wharf/client';

/**
 * One CLIENT span per call, retries included, through `@opentelemetry/api` only: the
 * tracer is looked up per call, so an SDK registered later is honoured, and with none the
 * API hands out non-recording spans that still carry the incoming trace on. Attributes
 * are only built for a span that records them. `path` is the request path; its query is
 * left out of `url.full` (it may carry personal data).
 */
export function startCallSpan(
  upstream: string,
  base: UpstreamBase,
  method: string,
  path: string,
  template?: string,
): Span {
  const name = template ? `${method} ${template}` : method;
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.CLIENT });
  if (!span.isRecording()) return span;
  const query = path.indexOf('?');
  const attributes: Attributes = {
    'http.request.method': method,
    'server.address': base.hostname,
    'server.port': base.port,
    'url.full': `${base.origin}${query < 0 ? path : path.slice(0, query)}`,
    'peer.service': upstream,
  };
  if (template) attributes['url.template'] = template;
  span.setAttributes(attributes);
  return span;
}

/** Add the trace context headers (W3C `traceparent` with the usual propagator) for `span`. */
export function injectTraceHeaders(span: Span, headers: Record<string, string>): void {
  propagation.inject(trace.setSpan(context.active(), span), headers);
}

/** Record how the call ended and end the span. */
export function endCallSpan(
  span: Span,
  outcome: { status?: number; error?: unknown; retries: number },
): void {
  if (span.isRecording()) {
    if (outcome.retries > 0) span.setAttribute('http.request.resend_count', outcome.retries);
    if (outcome.status !== undefined) {
      span.setAttribute('http.response.status_code', outcome.status);
    }
    if (outcome.error !== undefined) {
      const e = outcome.error as { name?: string; message?: string; code?: unknown };
      const type = typeof e.code === 'string' ? e.code : (e.name ?? 'Error');
      span.setAttribute('error.type', type);
      span.recordException({
        name: e.name ?? 'Error',
        message: String(e.message ?? outcome.error),
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
    } else if (outcome.status !== undefined && outcome.status >= 400) {
      span.setAttribute('error.type', String(outcome.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
}

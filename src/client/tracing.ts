import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/** The instrumentation scope of every client span. */
export const TRACER_NAME = 'wharf/client';

export interface CallDescription {
  upstream: string;
  method: string;
  /** Origin and path, without the query (it may carry personal data). */
  url: URL;
  /** The route's path template (`/cities/:id`) for typed calls. */
  template?: string;
}

/**
 * One CLIENT span per call, retries included, through `@opentelemetry/api` only: the
 * tracer is looked up per call, so an SDK registered later is honoured, and with none the
 * API hands out non-recording spans that still carry the incoming trace on.
 */
export function startCallSpan(call: CallDescription): Span {
  const attributes: Attributes = {
    'http.request.method': call.method,
    'server.address': call.url.hostname,
    'server.port': Number(call.url.port || (call.url.protocol === 'https:' ? 443 : 80)),
    'url.full': call.url.href,
    'peer.service': call.upstream,
  };
  if (call.template) attributes['url.template'] = call.template;
  const name = call.template ? `${call.method} ${call.template}` : call.method;
  return trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.CLIENT, attributes });
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

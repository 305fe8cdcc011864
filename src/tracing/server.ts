import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import { bindRequestLog } from '../log/request-logger.js';
import { installObservers, type RequestObserver } from '../service/request-observer.js';
import type { Tracing } from './create.js';

/** The instrumentation scope of request spans. */
export const SERVER_TRACER_NAME = 'wharf/http';

const REQUEST_TRACE = Symbol('wharf.requestTrace');

/** What tracing keeps on a request between its hooks. */
interface RequestTrace {
  readonly span: Span;
  /** The context the handler runs in: the request span active, routed to its service. */
  readonly context: Context;
  /** The error passed to the error handler, recorded if the response is a 5xx. */
  error: unknown;
  ended: boolean;
}

type TracedRequest = FastifyRequest & { [REQUEST_TRACE]?: RequestTrace | null };

/**
 * Trace every request of `app` with a SERVER span, named `GET /cities/:id` after the route
 * template (just the method when no route matched), as a child of the caller's span when
 * the request carries trace headers.
 *
 * The span starts in `onRequest` (so the access line and every other line of
 * `request.log` carry `trace_id` and `span_id`) and ends in `onResponse` with the status
 * code; a 5xx marks it as an error and records the exception. Route handlers run inside
 * the span's context, so spans started in them (database queries, client calls,
 * `logged()`) become its children; Fastify does not run a request's hooks in one async
 * context, so each handler is wrapped, which costs one context switch per request.
 *
 * `tracing` may be a function, read per request: until it returns a handle, requests go
 * untraced. Register this before the routes and other hooks.
 */
export function installRequestTracing(
  app: FastifyInstance,
  tracing: Tracing | (() => Tracing | undefined),
): void {
  installObservers(app, [requestTracing(app, tracing)]);
}

/**
 * `installRequestTracing` for `createService`: the hooks that run on every request are
 * returned as an observer, the rest are installed on `app`.
 */
export function requestTracing(
  app: FastifyInstance,
  tracing: Tracing | (() => Tracing | undefined),
): RequestObserver {
  const current = typeof tracing === 'function' ? tracing : () => tracing;
  const tracers = new WeakMap<Tracing, Tracer>();
  const tracerOf = (handle: Tracing): Tracer => {
    let tracer = tracers.get(handle);
    if (!tracer) {
      tracer = handle.provider.getTracer(SERVER_TRACER_NAME);
      tracers.set(handle, tracer);
    }
    return tracer;
  };

  app.decorateRequest(REQUEST_TRACE, null);
  app.addHook('onRoute', traceHandler);
  app.addHook('onError', (request, _reply, error, done) => {
    const state = traceOf(request);
    if (state) state.error = error;
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const state = traceOf(request);
    if (state && !state.ended) {
      state.ended = true;
      state.span.addEvent('request aborted by the client');
      state.span.end();
    }
    done();
  });
  return {
    onRequest(request, reply) {
      const handle = current();
      if (handle) startSpan(handle, tracerOf(handle), request, reply);
    },
    onResponse(request, reply) {
      const state = traceOf(request);
      if (state) endSpan(state, reply.statusCode);
    },
  };
}

function traceOf(request: FastifyRequest): RequestTrace | null | undefined {
  return (request as TracedRequest)[REQUEST_TRACE];
}

function startSpan(
  tracing: Tracing,
  tracer: Tracer,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const parent = tracing.propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
  const route = request.routeOptions.url;
  const span = tracer.startSpan(
    route ? `${request.method} ${route}` : request.method,
    { kind: SpanKind.SERVER, attributes: requestAttributes(request, route) },
    parent,
  );
  (request as TracedRequest)[REQUEST_TRACE] = {
    span,
    context: tracing.contextWith(span, parent),
    error: undefined,
    ended: false,
  };
  const { traceId, spanId } = span.spanContext();
  // Every later line of the request carries the ids, which is how a line leads to its trace.
  bindRequestLog(request, reply, { trace_id: traceId, span_id: spanId });
}

// Attribute names from OpenTelemetry's HTTP semantic conventions, written out so this
// module loads without the conventions package.
function requestAttributes(request: FastifyRequest, route: string | undefined): Attributes {
  const attributes: Attributes = {
    'http.request.method': request.method,
    'url.path': request.url.split('?', 1)[0] ?? request.url,
    'url.scheme': request.protocol,
    'server.address': request.hostname,
  };
  if (route) attributes['http.route'] = route;
  return attributes;
}

function endSpan(state: RequestTrace, status: number): void {
  if (state.ended) return;
  state.ended = true;
  const { span, error } = state;
  span.setAttribute('http.response.status_code', status);
  // A 4xx is the caller's mistake, not a failure of this service.
  if (status >= 500) {
    if (error instanceof Error) {
      span.recordException(error);
      span.setAttribute('error.type', error.name);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    } else {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
}

/** Run the route's handler inside its request's span context. */
function traceHandler(routeOptions: RouteOptions): void {
  const handler = routeOptions.handler;
  routeOptions.handler = function tracedHandler(
    this: FastifyInstance,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const state = traceOf(request);
    return state
      ? context.with(state.context, handler, this, request, reply)
      : handler.call(this, request, reply);
  } as RouteHandlerMethod;
}

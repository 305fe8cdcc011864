import { trace } from '@opentelemetry/api';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

/** The request a 5xx answered, as error subscribers see it. */
export interface ErrorReportRequest {
  id: string;
  method: string;
  /** The URL as received, query string included. */
  url: string;
  /** The route template, e.g. `/cities/:id`; undefined when no route matched. */
  routeUrl: string | undefined;
  /** The request headers, with credentials (authorization, cookies) replaced by `[redacted]`. */
  headers: Record<string, string | string[] | undefined>;
}

/** What `service.onError` subscribers receive for each answer with a status of 500 or more. */
export interface ErrorReport {
  /** The value that was thrown (or the ServiceError itself when Wharf raised it). */
  error: unknown;
  /** What the caller got: its `status`, `code` and `message`. */
  serviceError: ServiceError;
  request: ErrorReportRequest;
  /** The request span's ids while tracing is on, so the report links to its trace. */
  traceId: string | undefined;
  spanId: string | undefined;
}

/** A 5xx listener, e.g. one forwarding to an error tracker. Its result is not awaited. */
export type ErrorSubscriber = (report: ErrorReport) => unknown;

const REDACTED = '[redacted]';
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SUBSCRIBERS = Symbol('wharf.errorSubscribers');

type WithSubscribers = FastifyInstance & { [SUBSCRIBERS]?: ErrorSubscriber[] };

/**
 * Keep a service's error subscribers on its Fastify instance, where the error path (which
 * only has the request) finds them through `request.server`; plugin contexts inherit it.
 * Returns the function adding one.
 */
export function installErrorReports(app: FastifyInstance): (subscriber: ErrorSubscriber) => void {
  const subscribers: ErrorSubscriber[] = [];
  app.decorate(SUBSCRIBERS, subscribers);
  return (subscriber) => {
    subscribers.push(subscriber);
  };
}

/**
 * Hand a 5xx to the subscribers after the current turn of the event loop, so the answer is
 * written first and a slow or failing subscriber never touches it. Each failure is logged
 * once on the request's logger and goes no further.
 */
export function reportServerError(
  request: FastifyRequest,
  serviceError: ServiceError,
  error: unknown,
): void {
  const subscribers = (request.server as WithSubscribers)[SUBSCRIBERS];
  if (!subscribers || subscribers.length === 0) return;
  const report = buildReport(request, serviceError, error);
  const log = request.log;
  setImmediate(() => {
    for (const subscriber of [...subscribers]) notify(subscriber, report, log);
  });
}

function notify(subscriber: ErrorSubscriber, report: ErrorReport, log: FastifyBaseLogger): void {
  Promise.resolve()
    .then(() => subscriber(report))
    .catch((err: unknown) => {
      log.error({ err, code: report.serviceError.code }, 'error subscriber failed');
    });
}

function buildReport(
  request: FastifyRequest,
  serviceError: ServiceError,
  error: unknown,
): ErrorReport {
  const { traceId, spanId } = traceIdsOf(request);
  return {
    error,
    serviceError,
    request: {
      id: request.id,
      method: request.method,
      url: request.url,
      routeUrl: request.routeOptions.url,
      headers: redactHeaders(request.headers),
    },
    traceId,
    spanId,
  };
}

function redactHeaders(headers: FastifyRequest['headers']): ErrorReportRequest['headers'] {
  const copy: ErrorReportRequest['headers'] = {};
  for (const [name, value] of Object.entries(headers)) {
    copy[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return copy;
}

/**
 * Request tracing (src/tracing/server.ts) binds the request span's ids to the request's
 * logger, which is the one place the error path can read them from: the error handler does
 * not run inside the span's context. The active span covers tracing set up some other way.
 */
function traceIdsOf(request: FastifyRequest): { traceId?: string; spanId?: string } {
  const bindings = (request.log as Partial<Pick<Logger, 'bindings'>>).bindings?.() ?? {};
  if (typeof bindings.trace_id === 'string' && typeof bindings.span_id === 'string') {
    return { traceId: bindings.trace_id, spanId: bindings.span_id };
  }
  const active = trace.getActiveSpan()?.spanContext();
  return active ? { traceId: active.traceId, spanId: active.spanId } : {};
}

import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { installObservers, type RequestObserver } from '../service/request-observer.js';
import { roundMs } from './duration.js';
import { writeRequestLine } from './request-logger.js';

/** The header that carries the request id in (honoured when present) and out (echoed). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The fields of one access line; `service` and `req_id` come from the request logger. */
export interface AccessLine {
  method: string;
  /** The route template (`/cities/:id`), or null when no route matched. */
  route: string | null;
  status: number;
  duration_ms: number;
  /** The raw URL, written only when the logger is at `debug` or below. */
  url?: string;
}

/**
 * Write one `request` line per finished request.
 *
 * Correlation ids are not listed here: they are bindings of `request.log` (Fastify binds
 * `req_id`), so every line written during the request carries them, the access line
 * included. Tracing adds `trace_id` the same way.
 */
export function installAccessLog(app: FastifyInstance): void {
  installObservers(app, [accessLog]);
}

/** The access log as a request observer (see `createService`). */
export const accessLog: RequestObserver = {
  onResponse(request, reply, route) {
    writeRequestLine(request.log, 'info', accessLine(request, reply, route), 'request');
  },
};

function accessLine(
  request: FastifyRequest,
  reply: FastifyReply,
  route: string | undefined,
): AccessLine {
  const line: AccessLine = {
    method: request.method,
    // The template, not the URL: ids and query strings make every line unique (no grouping
    // by endpoint, unbounded index cardinality) and can carry personal data or tokens. An
    // unmatched request (404, 405) has no template; its path is attacker-chosen noise.
    route: route ?? null,
    status: reply.statusCode,
    duration_ms: roundMs(reply.elapsedTime),
  };
  // While debugging locally the exact URL is worth those costs.
  if (debugEnabled(request.log)) line.url = request.url;
  return line;
}

/** Fastify types its logger loosely; Wharf's is pino, whose children honour route log levels. */
function debugEnabled(log: FastifyBaseLogger): boolean {
  return (log as Partial<Pick<Logger, 'isLevelEnabled'>>).isLevelEnabled?.('debug') ?? false;
}

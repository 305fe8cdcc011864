import type { FastifyInstance } from 'fastify';
import { installObservers, type RequestObserver } from '../service/request-observer.js';
import { histogram, type MetricsContext, sampledGauge } from './registry.js';

/** The `route` label of a request no route matched (404, 405): never its raw path. */
export const UNMATCHED_ROUTE = '__unmatched';

export interface HttpMetricsOptions {
  /** A route template left out, e.g. the metrics route itself. */
  skipRoute?: string;
}

/** `httpMetrics` on an app of its own. */
export function installHttpMetrics(
  app: FastifyInstance,
  ctx: MetricsContext,
  options: HttpMetricsOptions = {},
): void {
  installObservers(app, [httpMetrics(ctx, options)]);
}

/**
 * `http_server_request_duration_seconds` by route template, method and status, and
 * `http_server_active_requests`: a count on the way in, and one observation per answer
 * from Fastify's own timing (`reply.elapsedTime`), so the cost per request is one
 * histogram update.
 */
export function httpMetrics(
  ctx: MetricsContext,
  options: HttpMetricsOptions = {},
): RequestObserver {
  const duration = histogram(ctx, {
    name: 'http_server_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by route template, method and status code.',
    labelNames: ['route', 'method', 'status_code'],
  });
  let active = 0;
  // Read at scrape time: a plain number per request is cheaper than a gauge update.
  sampledGauge(ctx, {
    name: 'http_server_active_requests',
    help: 'Requests received and not yet answered.',
    labelNames: [],
  }).add(() => [[{}, active]]);

  return {
    onRequest() {
      active++;
    },
    onResponse(request, reply, template) {
      active--;
      // The template, never the URL: ids in paths would make one series per id.
      const route = template ?? UNMATCHED_ROUTE;
      if (route !== options.skipRoute) {
        duration.observe(
          { route, method: request.method, status_code: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
      }
    },
  };
}

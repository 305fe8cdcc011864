import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * What one part of Wharf (tracing, metrics, the access log, security headers) does on
 * every request. A service runs all of them from one `onRequest` and one `onResponse`
 * hook, since each hook Fastify runs costs on every request.
 */
export interface RequestObserver {
  /** At the start of the request, before routing's other hooks; must not answer. */
  readonly onRequest?: (request: FastifyRequest, reply: FastifyReply) => void;
  /** After the answer was sent; `route` is the matched template, undefined when none matched. */
  readonly onResponse?: (
    request: FastifyRequest,
    reply: FastifyReply,
    route: string | undefined,
  ) => void;
}

/** The observers' `onRequest` and `onResponse` as two functions, run in the given order. */
export interface ComposedObservers {
  readonly onRequest: ((request: FastifyRequest, reply: FastifyReply) => void) | undefined;
  readonly onResponse: ((request: FastifyRequest, reply: FastifyReply) => void) | undefined;
}

export function composeObservers(observers: readonly RequestObserver[]): ComposedObservers {
  const starts = observers.flatMap((o) => (o.onRequest ? [o.onRequest] : []));
  const ends = observers.flatMap((o) => (o.onResponse ? [o.onResponse] : []));
  return {
    onRequest:
      starts.length === 0
        ? undefined
        : (request, reply) => {
            for (const start of starts) start(request, reply);
          },
    onResponse:
      ends.length === 0
        ? undefined
        : (request, reply) => {
            // Fastify builds a new object on every read of routeOptions; read it once.
            const route = request.routeOptions.url;
            for (const end of ends) end(request, reply, route);
          },
  };
}

/** Install observers on an app of their own (outside `createService`). */
export function installObservers(
  app: FastifyInstance,
  observers: readonly RequestObserver[],
): void {
  const { onRequest, onResponse } = composeObservers(observers);
  if (onRequest) {
    app.addHook('onRequest', (request, reply, done) => {
      onRequest(request, reply);
      done();
    });
  }
  if (onResponse) {
    app.addHook('onResponse', (request, reply, done) => {
      onResponse(request, reply);
      done();
    });
  }
}

import cors from '@fastify/cors';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import type { AuthHooks } from '../auth/hook.js';
import { type DeepPartial, resolveCoreConfig } from '../config/defaults.js';
import type { CoreConfig } from '../config/schema.js';
import {
  ErrorCode,
  MethodNotAllowedError,
  NotFoundError,
  RouteDefinitionError,
  type ServiceError,
  ServiceUnavailableError,
} from '../errors/index.js';
import { createHealth, type Health, type HealthRoutes, healthRoutes } from '../health/index.js';
import { accessLog, REQUEST_ID_HEADER } from '../log/access-log.js';
import { createLogger, type LoggedOptions, type Logger, logged } from '../log/index.js';
import { requestLoggerFactory } from '../log/request-logger.js';
import { createServiceMetrics } from '../metrics/service.js';
import { registerOpenApi } from '../openapi/index.js';
import type { Tracing } from '../tracing/create.js';
import { type ServiceTracingOptions, traceService } from '../tracing/service.js';
import { clientErrorHandler } from './client-error.js';
import { errorBody, OK_CODE, OK_MESSAGE, successEnvelopeSchema } from './envelope.js';
import { toServiceError } from './error-mapping.js';
import { type ErrorSubscriber, installErrorReports, reportServerError } from './error-report.js';
import { installJsonParser } from './json-body.js';
import { createLifecycle, type LifecycleHook } from './lifecycle.js';
import { trackAllowedMethods } from './method-not-allowed.js';
import { createPressure } from './pressure.js';
import { installProtection } from './protection.js';
import { composeObservers, type RequestObserver } from './request-observer.js';
import {
  type AnyRoute,
  type ResolvedRoute,
  type RouteEntry,
  type RoutesOf,
  resolveRoutes,
} from './route.js';
import { apiSecurityHeaders } from './security-headers.js';

export type { LifecycleHook };

export interface ServiceOptions<E extends readonly RouteEntry[]> {
  /** Service name: logs, OpenAPI title, trace resource. */
  name: string;
  /** Service version for OpenAPI and traces. */
  version?: string;
  /** Loaded configuration (see `loadConfig`); Wharf's defaults fill what is missing. */
  config?: DeepPartial<CoreConfig>;
  /** Routes and route groups. */
  routes: E;
  /** Where log lines go instead of stdout (tests). */
  logDestination?: DestinationStream;
  /** Tracing beyond the configuration, e.g. an in-memory exporter in tests. */
  tracing?: ServiceTracingOptions;
}

export interface Service<R extends AnyRoute = AnyRoute> {
  readonly name: string;
  readonly version: string;
  readonly config: CoreConfig;
  /** The underlying Fastify instance: register Fastify plugins and hooks here. */
  readonly app: FastifyInstance;
  readonly log: Logger;
  readonly health: Health;
  /**
   * The service's tracer provider (see `wharf/tracing`) once started, while tracing is on
   * (`tracing.exporter` is not `none`, or `options.tracing` gives an exporter).
   */
  readonly tracing: Tracing | undefined;
  /**
   * The service's own Prometheus registry, served at `metrics.path`; register application
   * metrics here. Undefined when `metrics.enabled` is false.
   */
  readonly metrics: Registry | undefined;
  /**
   * `logged()` bound to this service: lines go to the service logger and `category`
   * defaults to the service name.
   */
  logged<A extends unknown[], R>(
    fn: (...args: A) => Promise<R>,
    options?: Omit<LoggedOptions, 'logger'>,
  ): (...args: A) => Promise<R>;
  /** Every route with its full URL, in registration order. */
  readonly routes: readonly ResolvedRoute[];
  /** Phantom field carrying the route types to the test client. */
  readonly __routes?: R;
  /** Runs before the server accepts requests, in registration order. */
  onStart(hook: LifecycleHook): this;
  /**
   * Runs after the server stopped accepting and in-flight requests finished, in reverse
   * order. Stop hooks also run when the start fails, even those whose start hook never ran.
   */
  onStop(hook: LifecycleHook): this;
  /**
   * Called with the thrown error, the answer, the request (credentials redacted) and the
   * trace ids for every answer with a status of 500 or more, e.g. to feed an error tracker.
   * Subscribers run after the answer is sent; what they throw or reject is logged, once.
   */
  onError(subscriber: ErrorSubscriber): this;
  /**
   * Build the routes and run the start hooks without listening (used by the test harness).
   * On failure the stop hooks run, then the start error is rethrown.
   */
  ready(): Promise<void>;
  /** `ready()`, then listen on the configured host and port; resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * Readiness false, keep serving for `shutdown.delayMs`, stop accepting, let in-flight
   * requests finish, run stop hooks. Rejects if closing or a stop hook failed (all still run).
   */
  stop(): Promise<void>;
}

/** Create a Wharf service: a Fastify 5 app with the envelope, errors, logs, health and docs wired in. */
export function createService<const E extends readonly RouteEntry[]>(
  options: ServiceOptions<E>,
): Service<RoutesOf<E> | HealthRoutes> {
  const config = resolveCoreConfig(options.config);
  const log = createLogger({
    name: options.name,
    level: config.log.level,
    destination: options.logDestination,
  });
  const health = createHealth(config.health);
  const metrics = createServiceMetrics(config.metrics);
  const probes = healthRoutes(health);
  const routes = resolveRoutes([probes, ...(metrics?.routes ?? []), ...options.routes]);
  assertUniqueRoutes(routes);

  const app = Fastify({
    loggerInstance: log,
    // Wharf writes its own single access line (src/log/access-log.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'req_id' }),
    childLoggerFactory: requestLoggerFactory,
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: () => crypto.randomUUID(),
    bodyLimit: config.http.bodyLimit,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: config.http.maxHeaderBytes,
      // Node's defaults (60 s for headers, checked every 30 s) would let a stalled request
      // outlive requestTimeoutMs by far.
      headersTimeout: config.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.http.requestTimeoutMs),
    },
    // The shutdown hook below answers 503 in the envelope instead of Fastify's own body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    clientErrorHandler,
    ajv: { customOptions: { allErrors: true } },
    frameworkErrors: (err, request, reply) =>
      sendError(request, reply, toServiceError(err, config.http.bodyLimit), isClosing),
  }) as unknown as FastifyInstance;

  const version = options.version ?? '0.0.0';
  const lifecycle = createLifecycle({ app, health, log, config, prepare: build });
  const isClosing = () => lifecycle.closing;
  const pressure = createPressure(config.pressure, log);
  // Before the routes, whose handlers its onRoute hook wraps to run in the request span.
  const tracing = traceService(app, lifecycle, {
    name: options.name,
    version,
    config,
    log,
    options: options.tracing,
  });

  // The hooks' spans, and those of the timers and connections they start (a scheduler,
  // consumers), belong to this service even when several share the process.
  const ownWork = (hook: LifecycleHook): LifecycleHook =>
    tracing ? () => tracing.within(hook) : hook;

  const allowedMethods = trackAllowedMethods(app);
  installJsonParser(app);
  installErrorHandling(app, config, allowedMethods, isClosing);
  if (metrics) {
    // Before any hook of the application, so its stop hooks all run before sampling ends.
    lifecycle.onStart(metrics.start);
    lifecycle.onStop(metrics.stop);
  }
  // Tracing first, so every other part's lines and the answers they send are traced; on
  // the way out the span ends before the access line is written.
  const observers: RequestObserver[] = [];
  if (tracing) observers.push(tracing.observer);
  if (config.securityHeaders.enabled) observers.push(apiSecurityHeaders);
  if (config.log.accessLog) observers.push(accessLog);
  if (metrics) observers.push(metrics.http);
  const observe = composeObservers(observers);
  // One hook for every part: each hook Fastify runs costs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    observe.onRequest?.(request, reply);
    // Echoed so a caller can quote it when reporting a problem.
    reply.header(REQUEST_ID_HEADER, request.id);
    if (!lifecycle.closing) {
      if (!pressure?.shed(request, reply)) done();
      return;
    }
    sendError(
      request,
      reply,
      new ServiceUnavailableError('Service is shutting down', undefined, ErrorCode.shuttingDown),
      isClosing,
    );
  });
  if (observe.onResponse) {
    const onResponse = observe.onResponse;
    app.addHook('onResponse', (request, reply, done) => {
      onResponse(request, reply);
      done();
    });
  }

  async function build(): Promise<void> {
    if (config.cors.origins.length > 0) {
      const any = config.cors.origins.includes('*');
      await app.register(cors, {
        // `true` reflects the caller's origin, which (unlike a literal '*') works with credentials.
        origin: any ? true : config.cors.origins,
        credentials: config.cors.credentials,
        // The plugin's default (GET, HEAD, POST) would fail preflights for the other verbs.
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        exposedHeaders: [REQUEST_ID_HEADER],
        // Strict mode answers a bare OPTIONS (no Origin or Access-Control-Request-Method)
        // with a text/plain 400 outside the envelope; lenient mode answers 204.
        strictPreflight: false,
      });
    }
    await installProtection(app, {
      config,
      name: options.name,
      routes,
      // The scraper, like the probes, must get through exactly when the service is overloaded.
      probes: [...probes.routes, ...(metrics?.routes ?? [])],
      pressure,
      log,
    });
    // Always built (buildOpenApiSpec needs it); `openapi.enabled` only decides whether it is served.
    await registerOpenApi(app, {
      title: options.name,
      version,
      routes,
      serve: config.openapi.enabled,
    });
    // jose (about 60 ms to import) is loaded only by a service with a protected route.
    const authHooks = routes.some(({ auth }) => auth)
      ? (await import('../auth/hook.js')).createAuthHooks(config.auth.jwt)
      : undefined;
    for (const resolved of routes) registerRoute(app, resolved, isClosing, authHooks);
  }

  const addErrorSubscriber = installErrorReports(app);
  const service: Service<RoutesOf<E> | HealthRoutes> = {
    name: options.name,
    version,
    config,
    app,
    log,
    health,
    get tracing() {
      return tracing?.current();
    },
    metrics: metrics?.registry,
    logged(fn, opts) {
      return logged(fn, { ...opts, category: opts?.category ?? options.name, logger: log });
    },
    routes,
    onStart(hook) {
      lifecycle.onStart(ownWork(hook));
      return this;
    },
    onStop(hook) {
      lifecycle.onStop(ownWork(hook));
      return this;
    },
    onError(subscriber) {
      addErrorSubscriber(subscriber);
      return this;
    },
    ready: () => lifecycle.ready(),
    listen: () => lifecycle.listen(),
    stop: () => lifecycle.stop(),
  };
  return service;
}

function registerRoute(
  app: FastifyInstance,
  { route, url, tags, auth }: ResolvedRoute,
  isClosing: () => boolean,
  authHooks: AuthHooks | undefined,
): void {
  const status = route.status ?? 200;
  app.route({
    method: route.method,
    url,
    schema: definedOnly({
      operationId: route.name,
      summary: route.summary,
      description: route.description,
      tags,
      hide: route.hidden,
      params: route.params,
      querystring: route.query,
      body: route.body,
      headers: route.headers,
      response: route.raw ? undefined : { [status]: successEnvelopeSchema(route.response) },
    }),
    // Only protected routes pay for the check; onRequest refuses before the body is read.
    ...(auth && authHooks ? { onRequest: authHooks(route.name, auth) } : {}),
    handler: route.raw ? route.handler : envelopeHandler(route, status, isClosing),
  });
}

function envelopeHandler(route: AnyRoute, status: number, isClosing: () => boolean) {
  const handler = route.handler;
  return async function wharfHandler(request: FastifyRequest, reply: FastifyReply) {
    // biome-ignore lint/suspicious/noExplicitAny: typed at the route() boundary
    const data = await handler(request as any, reply);
    if (status !== 200) reply.code(status);
    closeIfClosing(reply, isClosing);
    return { code: OK_CODE, message: OK_MESSAGE, data: data === undefined ? null : data };
  };
}

function installErrorHandling(
  app: FastifyInstance,
  config: CoreConfig,
  allowedMethods: (path: string) => string[],
  isClosing: () => boolean,
): void {
  app.setErrorHandler((err, request, reply) => {
    sendError(request, reply, toServiceError(err, config.http.bodyLimit, request), isClosing, err);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const allow = allowedMethods(path);
    // A method in `allow` that still got here was refused for another reason (a
    // constraint, a trailing slash): the answer is 404, never a 405 that lists it.
    const error =
      allow.length > 0 && !allow.includes(request.method)
        ? new MethodNotAllowedError(request.method, allow)
        : new NotFoundError(`No route for ${request.method} ${path}`);
    sendError(request, reply, error, isClosing);
  });
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: ServiceError,
  isClosing: () => boolean,
  original: unknown = error,
): void {
  closeIfClosing(reply, isClosing);
  if (error.status >= 500) {
    request.log.error({ err: original }, `request failed: ${error.code}`);
    reportServerError(request, error, original);
  }
  if (error instanceof MethodNotAllowedError) reply.header('allow', error.allow.join(', '));
  reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error));
}

/**
 * An answer sent while the server closes tells a keep-alive client not to reuse the
 * socket, so its next request does not race the socket's closing. Checked in Wharf's own
 * handler and error path rather than in an onSend hook, which would cost every request.
 */
function closeIfClosing(reply: FastifyReply, isClosing: () => boolean): void {
  if (isClosing()) reply.header('connection', 'close');
}

/** Names feed the client and operationIds, so they must be unique, as must method + URL. */
function assertUniqueRoutes(routes: readonly ResolvedRoute[]): void {
  const names = new Map<string, string>();
  const endpoints = new Map<string, string>();
  for (const { route, url } of routes) {
    const where = `${route.method} ${url}`;
    const sameName = names.get(route.name);
    if (sameName) {
      throw new RouteDefinitionError(
        `Route name "${route.name}" is used twice: ${sameName} and ${where}`,
      );
    }
    const sameEndpoint = endpoints.get(where);
    if (sameEndpoint) {
      throw new RouteDefinitionError(
        `Routes "${sameEndpoint}" and "${route.name}" both answer ${where}`,
      );
    }
    names.set(route.name, where);
    endpoints.set(where, route.name);
  }
}

/** Fastify warns about schema keys that are present but undefined. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

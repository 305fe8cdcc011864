import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
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
import { createHealth, type Health, healthRoutes } from '../health/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { registerOpenApi } from '../openapi/index.js';
import { clientErrorHandler } from './client-error.js';
import { errorBody, OK_CODE, OK_MESSAGE, successEnvelopeSchema } from './envelope.js';
import { toServiceError } from './error-mapping.js';
import { installJsonParser } from './json-body.js';
import { trackAllowedMethods } from './method-not-allowed.js';
import {
  type AnyRoute,
  type ResolvedRoute,
  type RouteEntry,
  type RoutesOf,
  resolveRoutes,
} from './route.js';

export type LifecycleHook = () => Promise<void> | void;

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
}

export interface Service<R extends AnyRoute = AnyRoute> {
  readonly name: string;
  readonly version: string;
  readonly config: CoreConfig;
  /** The underlying Fastify instance: register Fastify plugins and hooks here. */
  readonly app: FastifyInstance;
  readonly log: Logger;
  readonly health: Health;
  /** Every route with its full URL, in registration order. */
  readonly routes: readonly ResolvedRoute[];
  /** Phantom field carrying the route types to the test client. */
  readonly __routes?: R;
  /** Runs before the server accepts requests, in registration order. */
  onStart(hook: LifecycleHook): this;
  /** Runs after the server stopped accepting and in-flight requests finished, in reverse order. */
  onStop(hook: LifecycleHook): this;
  /** Run start hooks and build the routes without listening (used by the test harness). */
  ready(): Promise<void>;
  /** `ready()`, then listen on the configured host and port; resolves to the base URL. */
  listen(): Promise<string>;
  /** Readiness false, stop accepting, let in-flight requests finish, run stop hooks. */
  stop(): Promise<void>;
}

/** Create a Wharf service: a Fastify 5 app with the envelope, errors, logs, health and docs wired in. */
export function createService<const E extends readonly RouteEntry[]>(
  options: ServiceOptions<E>,
): Service<RoutesOf<E>> {
  const config = resolveCoreConfig(options.config);
  const log = createLogger({
    name: options.name,
    level: config.log.level,
    destination: options.logDestination,
  });
  const health = createHealth(config.health);
  const routes = resolveRoutes([healthRoutes(health), ...options.routes]);
  assertUniqueNames(routes);

  const app = Fastify({
    loggerInstance: log,
    disableRequestLogging: true,
    requestIdHeader: 'x-request-id',
    requestIdLogLabel: 'req_id',
    genReqId: () => crypto.randomUUID(),
    bodyLimit: config.http.bodyLimit,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    http: { maxHeaderSize: config.http.maxHeaderBytes },
    // The shutdown hook below answers 503 in the envelope instead of Fastify's own body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    clientErrorHandler,
    ajv: { customOptions: { allErrors: true } },
    frameworkErrors: (err, request, reply) => sendError(request, reply, toServiceError(err, 0)),
  }) as unknown as FastifyInstance;

  const version = options.version ?? '0.0.0';
  const startHooks: LifecycleHook[] = [];
  const stopHooks: LifecycleHook[] = [];
  let closing = false;
  let readyPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  const allowedMethods = trackAllowedMethods(app);
  installJsonParser(app);
  installErrorHandling(app, config, allowedMethods);
  if (config.log.accessLog) installAccessLog(app);
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    sendError(
      request,
      reply,
      new ServiceUnavailableError('Service is shutting down', undefined, ErrorCode.shuttingDown),
    );
  });

  async function build(): Promise<void> {
    if (config.cors.origins.length > 0) {
      const any = config.cors.origins.includes('*');
      await app.register(cors, {
        origin: any ? true : config.cors.origins,
        credentials: config.cors.credentials,
      });
    }
    if (config.openapi.enabled) await registerOpenApi(app, { title: options.name, version });
    for (const resolved of routes) registerRoute(app, resolved);
    for (const hook of startHooks) await hook();
    await app.ready();
  }

  const service: Service<RoutesOf<E>> = {
    name: options.name,
    version,
    config,
    app,
    log,
    health,
    routes,
    onStart(hook) {
      startHooks.push(hook);
      return this;
    },
    onStop(hook) {
      stopHooks.push(hook);
      return this;
    },
    ready() {
      readyPromise ??= build();
      return readyPromise;
    },
    async listen() {
      await service.ready();
      return app.listen({ host: config.http.host, port: config.http.port });
    },
    stop() {
      stopPromise ??= (async () => {
        health.markStopping();
        if (config.shutdown.delayMs > 0) await sleep(config.shutdown.delayMs);
        closing = true;
        await app.close();
        for (const hook of [...stopHooks].reverse()) await hook();
      })();
      return stopPromise;
    },
  };
  return service;
}

function registerRoute(app: FastifyInstance, { route, url, tags }: ResolvedRoute): void {
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
    handler: route.raw ? route.handler : envelopeHandler(route, status),
  });
}

function envelopeHandler(route: AnyRoute, status: number) {
  const handler = route.handler;
  return async function wharfHandler(request: FastifyRequest, reply: FastifyReply) {
    // biome-ignore lint/suspicious/noExplicitAny: typed at the route() boundary
    const data = await handler(request as any, reply);
    if (status !== 200) reply.code(status);
    return { code: OK_CODE, message: OK_MESSAGE, data: data === undefined ? null : data };
  };
}

function installErrorHandling(
  app: FastifyInstance,
  config: CoreConfig,
  allowedMethods: (path: string) => string[],
): void {
  app.setErrorHandler((err, request, reply) => {
    sendError(
      request,
      reply,
      toServiceError(err, config.http.bodyLimit, request.headers['content-type']),
      err,
    );
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const allow = allowedMethods(path);
    const error =
      allow.length > 0
        ? new MethodNotAllowedError(request.method, allow)
        : new NotFoundError(`No route for ${request.method} ${path}`);
    sendError(request, reply, error);
  });
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: ServiceError,
  original: unknown = error,
): void {
  if (error.status >= 500) {
    request.log.error({ err: original }, `request failed: ${error.code}`);
  }
  if (error instanceof MethodNotAllowedError) reply.header('allow', error.allow.join(', '));
  reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error));
}

function installAccessLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: request.url,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
    done();
  });
}

function assertUniqueNames(routes: readonly ResolvedRoute[]): void {
  const seen = new Map<string, string>();
  for (const { route, url } of routes) {
    const where = `${route.method} ${url}`;
    const before = seen.get(route.name);
    if (before) {
      throw new RouteDefinitionError(
        `Route name "${route.name}" is used twice: ${before} and ${where}`,
      );
    }
    seen.set(route.name, where);
  }
}

/** Fastify warns about schema keys that are present but undefined. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

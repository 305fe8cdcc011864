import type { FastifyInstance } from 'fastify';
import type { CoreConfig } from '../config/schema.js';
import type { Logger } from '../log/index.js';
import { NEVER_SHED, type Pressure } from './pressure.js';
import { installRateLimit, routeRateLimit } from './rate-limit.js';
import type { AnyRoute, ResolvedRoute } from './route.js';
import { installDocumentSecurityHeaders } from './security-headers.js';

export interface ProtectionOptions {
  config: CoreConfig;
  /** Service name (rate-limit counters in Redis are shared per name). */
  name: string;
  routes: readonly ResolvedRoute[];
  /** Health probes and the metrics route: never rate limited or shed, so an overload neither fails liveness nor hides itself from the scraper. */
  probes: readonly AnyRoute[];
  /** Load shedding, when on: its sampler is installed here, its check runs in the service's hook. */
  pressure: Pressure | undefined;
  log: Logger;
}

/**
 * The docs pages' security headers, load shedding's sampler and rate limits, before any
 * route is registered (the API's security headers and the shedding check run in the
 * service's own first hook, so a shed request costs no rate-limit lookup).
 */
export async function installProtection(
  app: FastifyInstance,
  options: ProtectionOptions,
): Promise<void> {
  const { config } = options;
  // Before the plugins' own onRoute hooks, which read what this one writes.
  configureRoutes(app, options.routes, new Set(options.probes));
  if (config.securityHeaders.enabled) await installDocumentSecurityHeaders(app);
  await options.pressure?.install(app);
  await installRateLimit(app, {
    settings: config.rateLimit,
    // REDIS_URL sets cache.redisUrl; one Redis serves both unless the limiter names its own.
    redisUrl: config.rateLimit.redisUrl || config.cache.redisUrl,
    name: options.name,
    anyRouteLimit: options.routes.some(({ route }) => typeof route.rateLimit === 'object'),
    log: options.log,
  });
}

/** Hand each Wharf route's protection options to the plugins as Fastify route config. */
function configureRoutes(
  app: FastifyInstance,
  routes: readonly ResolvedRoute[],
  probes: ReadonlySet<AnyRoute>,
): void {
  const byEndpoint = new Map<string, AnyRoute>();
  for (const { route, url } of routes) {
    byEndpoint.set(`${route.method} ${url}`, route);
    // Fastify adds a HEAD twin to every GET route.
    if (route.method === 'GET') byEndpoint.set(`HEAD ${url}`, route);
  }
  app.addHook('onRoute', (options) => {
    const route = byEndpoint.get(`${options.method} ${options.url}`);
    if (!route) return;
    const extra = probes.has(route)
      ? { rateLimit: false as const, ...NEVER_SHED }
      : route.rateLimit === undefined
        ? undefined
        : { rateLimit: routeRateLimit(route.name, route.rateLimit) };
    if (extra) options.config = { ...options.config, ...extra };
  });
}

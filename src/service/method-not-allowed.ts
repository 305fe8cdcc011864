import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

/** Looks up which methods a concrete request path is served with. */
export type AllowedMethods = (path: string) => string[];

/**
 * Knows every (method, path) the service serves, to tell "no such path" (404) from
 * "path exists, wrong method" (405 + Allow). Fed from Fastify's onRoute hook, so it also
 * sees routes added by plugins (health, docs) and the HEAD twins of GET routes.
 *
 * Catch-all routes (`*`, like the CORS preflight handler) answer on every path, so they
 * never make a path "exist"; their methods are only added to the Allow list of paths that do.
 */
export function trackAllowedMethods(app: FastifyInstance): AllowedMethods {
  const options = app.initialConfig;
  // Same matching rules as Fastify's own router, or 405 and 404 would disagree with it.
  const router = FindMyWay({
    ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
    ignoreDuplicateSlashes: options.ignoreDuplicateSlashes ?? false,
    caseSensitive: options.caseSensitive ?? true,
    maxParamLength: options.maxParamLength ?? 100,
  });
  const methods = new Set<HTTPMethod>();
  const everywhere = new Set<string>();

  app.addHook('onRoute', (opts) => {
    for (const m of [opts.method].flat()) {
      const method = m as HTTPMethod;
      if (opts.url === '*' || opts.url === '/*') {
        everywhere.add(method);
        continue;
      }
      methods.add(method);
      for (const url of urlsOf(opts, options.ignoreTrailingSlash ?? false)) add(method, url);
    }
  });

  function add(method: HTTPMethod, url: string): void {
    // The HEAD twin of a GET route may arrive twice (once per trailing-slash variant);
    // the first registration already answers for it.
    try {
      router.on(method, url, noop);
    } catch {}
  }

  return (path) => {
    const clean = path.split('?', 1)[0] ?? path;
    const found = [...methods].filter((m) => router.find(m, clean) !== null);
    if (found.length === 0) return [];
    return [...new Set<string>([...found, ...everywhere])].sort();
  };
}

interface RouteUrl {
  url: string;
  routePath?: string;
  prefix?: string;
  prefixTrailingSlash?: string;
}

/**
 * Fastify serves the root route of a prefixed plugin at both `/prefix` and `/prefix/`
 * but runs onRoute only for the first, so the second is added here.
 */
function urlsOf(opts: RouteUrl, ignoreTrailingSlash: boolean): string[] {
  const bothSlashes =
    opts.routePath === '' &&
    Boolean(opts.prefix) &&
    (opts.prefixTrailingSlash ?? 'both') === 'both' &&
    !ignoreTrailingSlash;
  return bothSlashes ? [opts.url, `${opts.url}/`] : [opts.url];
}

function noop(): void {}

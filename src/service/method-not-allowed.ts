import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

/**
 * Knows every (method, path) the service serves, to tell "no such path" (404) from
 * "path exists, wrong method" (405 + Allow). Fed from Fastify's onRoute hook, so it also
 * sees routes added by plugins (health, docs).
 */
export function trackAllowedMethods(app: FastifyInstance): (path: string) => string[] {
  const router = FindMyWay({ ignoreTrailingSlash: true });
  const methods = new Set<HTTPMethod>();
  app.addHook('onRoute', (opts) => {
    for (const m of [opts.method].flat()) {
      const method = m as HTTPMethod;
      methods.add(method);
      // A path Fastify accepted may still look like a duplicate here (trailing slash
      // variants): the first registration already answers for it.
      try {
        router.on(method, opts.url, noop);
      } catch {}
    }
  });
  return (path) => {
    const clean = path.split('?', 1)[0] ?? path;
    return [...methods].filter((m) => router.find(m, clean) !== null).sort();
  };
}

function noop(): void {}

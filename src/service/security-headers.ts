import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * Helmet's defaults, except `upgrade-insecure-requests`: services usually speak plain HTTP
 * behind a gateway, and that directive would make a browser fetch the docs UI's assets
 * over HTTPS from a port that has none. The rest of the default policy (scripts and
 * styles from the service itself, inline styles, data: images) is what /docs needs.
 */
const HELMET_OPTIONS = {
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
};

/** Headers of any response that are not security headers. */
const NOT_SECURITY = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
]);

/**
 * The headers @fastify/helmet writes with `HELMET_OPTIONS`, read once from a throwaway
 * instance. Without per-request nonces they are the same for every request, while the
 * plugin itself runs two hooks (one async) and rebuilds helmet's middleware per request.
 */
export async function securityHeaders(): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, HELMET_OPTIONS);
  probe.get('/', (_request, reply) => reply.send(''));
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (!NOT_SECURITY.has(name) && value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/** Every response, answers and errors alike, carries the security headers. */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  const entries = Object.entries(await securityHeaders());
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of entries) reply.header(name, value);
    done();
  });
}

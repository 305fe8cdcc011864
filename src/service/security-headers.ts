import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type onRequestHookHandler } from 'fastify';
import { OPENAPI_DOCS_PATH } from '../openapi/index.js';
import type { RequestObserver } from './request-observer.js';

/**
 * The headers of every answer. A JSON answer is never rendered as a page, so of the
 * document-oriented set only what still matters for an API is kept (the list OWASP gives
 * for REST services): nothing may be loaded or framed on its behalf, its type is not to be
 * sniffed, HTTPS sticks once used, no referrer leaks, no other site may embed it.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

const API_ENTRIES = Object.entries(API_SECURITY_HEADERS);

/** Sets `API_SECURITY_HEADERS` on every answer, errors and shutdown refusals included. */
export const apiSecurityHeaders: RequestObserver = {
  onRequest(_request, reply) {
    for (const [name, value] of API_ENTRIES) reply.header(name, value);
  },
};

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
export async function documentSecurityHeaders(): Promise<Record<string, string>> {
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

/**
 * The docs UI is a page a browser renders: its routes (registered after this) get helmet's
 * document policy instead, from a hook of their own so no other route pays for the check.
 */
export async function installDocumentSecurityHeaders(app: FastifyInstance): Promise<void> {
  const entries = Object.entries(await documentSecurityHeaders());
  const replaceApiHeaders: onRequestHookHandler = (_request, reply, done) => {
    for (const name of Object.keys(API_SECURITY_HEADERS)) reply.removeHeader(name);
    for (const [name, value] of entries) reply.header(name, value);
    done();
  };
  app.addHook('onRoute', (options) => {
    if (options.url !== OPENAPI_DOCS_PATH && !options.url.startsWith(`${OPENAPI_DOCS_PATH}/`)) {
      return;
    }
    const own = options.onRequest;
    options.onRequest = [
      ...(own === undefined ? [] : Array.isArray(own) ? own : [own]),
      replaceApiHeaders,
    ];
  });
}

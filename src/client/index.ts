/**
 * `wharf/client`: calls to other services over HTTP.
 *
 * ```ts
 * import type { cityRoutes } from '../cities/routes.js'; // types only, never the code
 *
 * const clients = createClients(config); // client.upstreams.<name>.url and settings
 * const cities = clients.get<typeof cityRoutes>('cities').routes({ getCity: 'GET /cities/:id' });
 * const city = await cities.getCity({ params: { id: 1 } }); // typed from the route
 * useClients(service, clients); // closed with the service
 * ```
 *
 * Every client keeps a bounded keep-alive pool per upstream, puts a deadline on each call,
 * retries idempotent calls after connection errors and 502/503/504 (exponential backoff
 * with full jitter, `Retry-After` honoured up to a cap), opens a circuit breaker after
 * consecutive failures, and sends the trace context. Defaults are in docs/configuration.md
 * under `client.*`.
 *
 * How failures reach the caller of a handler that does not catch them:
 * - UpstreamError: the upstream answered an error. 502 `UPSTREAM_ERROR` with
 *   `{ upstream, status, code }`. Handlers map the answers they expect themselves; an
 *   upstream 404 in particular usually means a 404 of their own (`err.upstreamStatus`).
 * - UpstreamUnavailableError: no connection, or the circuit is open. 503 `UPSTREAM_UNAVAILABLE`.
 * - UpstreamTimeoutError: headers, body or the call's deadline. 504 `UPSTREAM_TIMEOUT`.
 *
 * Tests replace upstreams with `mockUpstreams()` from `wharf/testing`: the same clients,
 * sending to undici's MockAgent instead of the network.
 */
export type { RouteData, RouteInput } from '../service/route-types.js';
export type { BreakerOptions, BreakerPermit, BreakerState, CircuitBreaker } from './breaker.js';
export { createBreaker } from './breaker.js';
export type { CallOptions } from './call.js';
export {
  type CallListener,
  type ClientOptions,
  createClient,
  type HttpClient,
} from './client.js';
export { type Clients, type ClientsOptions, createClients, useClients } from './clients.js';
export type { ClientResponse } from './response.js';
export {
  backoffDelay,
  IDEMPOTENT_METHODS,
  RETRY_STATUSES,
  retryAfterMs,
  type Sleep,
} from './retry.js';
export type { ClientConfig, ClientConfigSource, ClientSettings } from './settings.js';
export { defaultClientSettings, resolveUpstream } from './settings.js';
export type { Query, QueryValue } from './target.js';
export { TRACER_NAME } from './tracing.js';
export type {
  CheckedAddresses,
  PathParamNames,
  RouteAddress,
  RouteCallOptions,
  RoutesIn,
  ServiceClient,
} from './typed.js';

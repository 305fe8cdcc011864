import { type Dispatcher, Pool } from 'undici';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../errors/index.js';
import type { AnyRoute, HttpMethod } from '../service/index.js';
import { type BreakerState, createBreaker } from './breaker.js';
import { type CallContext, type CallOptions, sendCall } from './call.js';
import { type ClientResponse, unwrapResponse } from './response.js';
import { type Sleep, sleep } from './retry.js';
import {
  type ClientConfigSource,
  type ClientSettings,
  checkSettings,
  defaultClientSettings,
  missingUpstreamUrl,
  resolveUpstream,
} from './settings.js';
import { fillPath, parseBaseUrl } from './target.js';
import {
  bindRoutes,
  type CheckedAddresses,
  type RouteAddress,
  type RoutesIn,
  type ServiceClient,
} from './typed.js';

export interface ClientOptions extends Partial<ClientSettings> {
  /** The upstream's name: used in errors, spans (`peer.service`) and to look up its config. */
  name: string;
  /** Base URL, e.g. `http://cities:8080`; wins over `client.upstreams.<name>.url`. */
  baseUrl?: string;
  /**
   * Configuration to take `client.*` and `client.upstreams.<name>` from, e.g. a service's
   * `config`. Settings given directly in these options win over it.
   */
  config?: ClientConfigSource;
  /**
   * Send through this dispatcher instead of a pool of the client's own, e.g. the MockAgent
   * of `mockUpstreams()`. The client never closes a dispatcher it was given.
   */
  dispatcher?: Dispatcher;
  /** How retries wait; tests pass one that does not. */
  sleep?: Sleep;
  /** Random numbers in [0, 1) for the backoff jitter; `Math.random` unless given. */
  random?: () => number;
  /** Clock of the circuit breaker in milliseconds; `Date.now` unless given. */
  now?: () => number;
  /** Told about every call once it ended, retries included (metrics). */
  onCall?: CallListener;
}

/** How a call ended: the final answer's status class, or why there was none. */
export type CallOutcome =
  | '2xx'
  | '3xx'
  | '4xx'
  | '5xx'
  | 'timeout'
  | 'unavailable'
  | 'circuit_open'
  | 'error';

/** One finished call, as `onCall` listeners see it. */
export interface CallRecord {
  readonly upstream: string;
  readonly method: HttpMethod;
  readonly outcome: CallOutcome;
  /** From the first attempt to the end of the last, retry waits included. */
  readonly durationMs: number;
}

export type CallListener = (call: CallRecord) => void;

/**
 * A client of one upstream HTTP service, over a keep-alive connection pool of its own.
 * Create one per upstream and share it: each client has its own pool and breaker.
 *
 * `get`, `post`, `put`, `patch` and `delete` resolve to the answer's data: `data` of a
 * Wharf envelope, any other 2xx body as it is (parsed when JSON). Any other status throws
 * UpstreamError. Failures to reach the upstream throw UpstreamUnavailableError (503) or
 * UpstreamTimeoutError (504).
 */
export interface HttpClient<T = never> {
  readonly name: string;
  readonly baseUrl: string;
  readonly settings: Readonly<ClientSettings>;
  /** The state of this upstream's circuit breaker. */
  readonly circuit: BreakerState;
  /** Send a call and get the answer as it came, whatever its status (retries and breaker apply). */
  request(method: HttpMethod, path: string, options?: CallOptions): Promise<ClientResponse>;
  get<D = unknown>(path: string, options?: CallOptions): Promise<D>;
  post<D = unknown>(path: string, options?: CallOptions): Promise<D>;
  put<D = unknown>(path: string, options?: CallOptions): Promise<D>;
  patch<D = unknown>(path: string, options?: CallOptions): Promise<D>;
  delete<D = unknown>(path: string, options?: CallOptions): Promise<D>;
  /**
   * Typed methods for routes of the service `T` (`createClient<typeof cityRoutes>`), by
   * route name. The addresses are checked against the routes' names and params:
   *
   * ```ts
   * const cities = client.routes({ getCity: 'GET /cities/:id' });
   * const city = await cities.getCity({ params: { id: 1 } }); // typed from the route
   * ```
   */
  routes<const A extends Record<string, RouteAddress>>(
    addresses: A & CheckedAddresses<Extract<RoutesIn<T>, AnyRoute>, A>,
  ): ServiceClient<Extract<RoutesIn<T>, AnyRoute>, keyof A>;
  /** Close the pool once calls in flight have ended (nothing to do with an injected dispatcher). */
  close(): Promise<void>;
}

/**
 * Create the client of one upstream, by base URL or by name from the configuration:
 *
 * ```ts
 * const cities = createClient({ name: 'cities', baseUrl: 'http://cities:8080' });
 * const cities = createClient({ name: 'cities', config: service.config });
 * ```
 */
export function createClient<T = never>(options: ClientOptions): HttpClient<T> {
  const { name, baseUrl: givenUrl, config, dispatcher: given, sleep: wait, random, now } = options;
  const resolved = config
    ? resolveUpstream(config, name)
    : { url: undefined, settings: defaultClientSettings() };
  const baseUrl = givenUrl ?? resolved.url;
  if (baseUrl === undefined) throw missingUpstreamUrl(name);
  const settings = checkSettings({ ...resolved.settings, ...settingsIn(options) });
  const base = parseBaseUrl(baseUrl);
  const dispatcher = given ?? createPool(base.origin, settings);
  const breaker = createBreaker({
    threshold: settings.breakerThreshold,
    coolDownMs: settings.breakerCoolDownMs,
    now,
  });
  const ctx: CallContext = {
    upstream: name,
    base,
    settings,
    dispatcher,
    breaker,
    sleep: wait ?? sleep,
    random: random ?? Math.random,
  };

  const send: typeof sendCall = options.onCall ? observedCall(name, options.onCall) : sendCall;
  const data =
    (method: HttpMethod) =>
    async <D>(path: string, callOptions?: CallOptions): Promise<D> =>
      unwrapResponse(name, await send(ctx, method, path, callOptions)) as D;

  return {
    name,
    baseUrl,
    settings,
    get circuit() {
      return breaker.state;
    },
    request: (method, path, callOptions) => send(ctx, method, path, callOptions),
    get: data('GET'),
    post: data('POST'),
    put: data('PUT'),
    patch: data('PATCH'),
    delete: data('DELETE'),
    routes(addresses) {
      const methods = bindRoutes(
        async (method, template, input) => {
          // The call reads only its own options, so `params` rides along rather than being
          // split off by a rest pattern, which costs a copy of the object per call.
          const path = fillPath(template, input.params);
          return unwrapResponse(name, await send(ctx, method, path, input, template));
        },
        addresses as Record<string, string>,
      );
      return methods as never;
    },
    close: async () => {
      if (!given) await dispatcher.close();
    },
  };
}

/** `sendCall`, then `listener` told how it ended; the listener is outside the call's result. */
function observedCall(upstream: string, listener: CallListener): typeof sendCall {
  return async (ctx, method, path, callOptions, template) => {
    const started = performance.now();
    let outcome: CallOutcome = 'error';
    try {
      const response = await sendCall(ctx, method, path, callOptions, template);
      outcome = statusClass(response.status);
      return response;
    } catch (err) {
      outcome = failureOutcome(err);
      throw err;
    } finally {
      try {
        listener({ upstream, method, outcome, durationMs: performance.now() - started });
      } catch {
        // A failing observer (metrics) must not turn a call's answer into its error.
      }
    }
  };
}

function statusClass(status: number): CallOutcome {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return status >= 300 ? '3xx' : '2xx';
}

function failureOutcome(err: unknown): CallOutcome {
  if (err instanceof UpstreamTimeoutError) return 'timeout';
  if (err instanceof UpstreamUnavailableError) {
    return err.reason === 'circuit-open' ? 'circuit_open' : 'unavailable';
  }
  // The caller aborted, or something unexpected.
  return 'error';
}

/**
 * One pool per upstream, kept alive between calls. Undici's own timeouts (300 s for
 * headers and body, 10 s to connect) suit a browser far more than a call between services.
 * Idle sockets close after undici's 4 s (or the server's Keep-Alive hint), well before
 * Wharf's server side does (72 s), so a call never goes out on a socket being closed.
 */
function createPool(origin: string, settings: ClientSettings): Pool {
  return new Pool(origin, {
    connections: settings.connections,
    connect: { timeout: settings.connectTimeoutMs },
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
  });
}

function settingsIn(options: ClientOptions): Partial<ClientSettings> {
  const out: Partial<ClientSettings> = {};
  for (const key of Object.keys(defaultClientSettings()) as (keyof ClientSettings)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

import { isDeepStrictEqual } from 'node:util';
import { type Dispatcher, MockAgent } from 'undici';
import {
  type ClientConfigSource,
  type Clients,
  type ClientsOptions,
  createClients,
  resolveUpstream,
} from '../client/index.js';

/** Options of `mockUpstreams()`. */
export interface MockUpstreamsOptions {
  /**
   * Let the backoff between retries really elapse. By default retries go out at once:
   * they still happen and are counted, but tests do not wait for them.
   */
  realDelays?: boolean;
  /** Clock of the clients' circuit breakers, to test cool-downs without waiting. */
  now?: ClientsOptions['now'];
}

/** What an expected call must match besides its method and path. */
export interface MockMatch {
  /** Query values the call must carry, exactly these. */
  query?: Record<string, string | number | boolean>;
  /** Headers the call must carry (others may be there too). */
  headers?: Record<string, string>;
  /** The JSON body the call must send, compared deeply. */
  body?: unknown;
}

/** How often a declared answer is given: once unless told otherwise. */
export interface MockScope {
  /** Give the answer this many times. */
  times(count: number): MockScope;
  /** Give the answer to every matching call. */
  persist(): MockScope;
  /** Answer only after this many milliseconds. */
  delay(ms: number): MockScope;
}

/** The answer to an expected call. */
export interface MockAnswer {
  /**
   * Answer with this status and body as they are: objects as JSON, strings as text. The
   * client hands a 2xx JSON body that is no envelope back as it is, so `reply(200, city)`
   * suits a plain HTTP upstream and `replyData(city)` a Wharf one.
   */
  reply(status: number, body?: unknown, headers?: Record<string, string>): MockScope;
  /** Answer with a Wharf success envelope around `data` (status 200 unless given). */
  replyData(data: unknown, status?: number): MockScope;
  /** Answer with a Wharf error envelope. */
  replyError(status: number, code: string, message?: string, error?: unknown): MockScope;
  /** Fail at the connection level; by default as a refused connection. */
  fail(error?: Error): MockScope;
}

/** Expected calls to one upstream, by method and path (relative to its base URL). */
export interface UpstreamMock {
  get(path: string, match?: MockMatch): MockAnswer;
  post(path: string, match?: MockMatch): MockAnswer;
  put(path: string, match?: MockMatch): MockAnswer;
  patch(path: string, match?: MockMatch): MockAnswer;
  delete(path: string, match?: MockMatch): MockAnswer;
  head(path: string, match?: MockMatch): MockAnswer;
  /** The calls this upstream received, oldest first. */
  readonly calls: readonly MockCall[];
}

/** One call that reached the mocks, matched or not. */
export interface MockCall {
  upstream: string | undefined;
  method: string;
  /** Full URL, query included. */
  url: string;
  headers: Record<string, string>;
  /** Parsed JSON body, the text of any other body, or undefined. */
  body: unknown;
  matched: boolean;
}

/**
 * Upstream services replaced by answers declared in the test, on undici's MockAgent. The
 * clients from `clients()` are real Wharf clients (retries, timeouts, breaker, trace
 * headers) whose calls end at the MockAgent instead of the network; a call that matches no
 * declared answer fails and is reported by `verify()` and by `close()`.
 *
 * ```ts
 * const upstreams = mockUpstreams();
 * const t = await testService(createTripsService({ clients: upstreams.clients() }), { upstreams });
 * t.mock('cities').get('/cities/1').replyData({ id: 1, name: 'Lyon' });
 * ```
 */
export interface MockUpstreams {
  /** The MockAgent itself, for what the methods here do not cover. */
  readonly agent: MockAgent;
  /**
   * Clients for the service under test. Upstreams its config does not list get the base
   * URL `http://<name>.test`.
   */
  clients(config?: ClientConfigSource): Clients;
  /** Declare the answers of upstream `name`. */
  mock(name: string): UpstreamMock;
  /** Every call that reached the mocks, oldest first. */
  readonly calls: readonly MockCall[];
  /** Throw when a call matched no declared answer or a declared answer was never used. */
  verify(): void;
  /** Close the MockAgent; then throw, like `verify()`, if a call matched no declared answer. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function mockUpstreams(options: MockUpstreamsOptions = {}): MockUpstreams {
  const names = new Map<string, string>(); // origin → upstream name
  const calls: MockCall[] = [];
  const agent = new RecordingMockAgent(names, calls);
  agent.disableNetConnect();
  let lastConfig: ClientConfigSource = {};

  const baseUrlOf = (name: string): string =>
    resolveUpstream(lastConfig, name).url ?? fallbackUrl(name);

  const unmatchedReport = (): string | undefined => {
    const unmatched = calls.filter((call) => !call.matched);
    if (unmatched.length === 0) return undefined;
    return `${unmatched.length} upstream call(s) matched no mock:\n${unmatched.map(describeUnmatched).join('\n')}`;
  };

  return {
    agent,
    calls,
    clients(config = {}) {
      lastConfig = config;
      const clients = createClients(config, {
        dispatcher: agent,
        fallbackUrl,
        now: options.now,
        sleep: options.realDelays ? undefined : skipDelay,
      });
      return {
        get<T = never>(name: string) {
          const client = clients.get<T>(name);
          // Names the upstream in the report of a call no mock matched.
          names.set(new URL(client.baseUrl).origin, name);
          return client;
        },
        close: () => clients.close(),
        // Passed through, so a service under test reports its calls in its metrics.
        onCall: (listener) => clients.onCall?.(listener) ?? (() => {}),
        circuits: () => clients.circuits?.() ?? new Map(),
      };
    },
    mock(name) {
      const base = new URL(baseUrlOf(name));
      names.set(base.origin, name);
      const pool = agent.get(base.origin);
      const basePath = base.pathname.replace(/\/+$/, '');
      const expect = (method: string) => (path: string, match?: MockMatch) =>
        answerFor(pool.intercept(interceptOptions(method, `${basePath}${path}`, match)));
      return {
        get: expect('GET'),
        post: expect('POST'),
        put: expect('PUT'),
        patch: expect('PATCH'),
        delete: expect('DELETE'),
        head: expect('HEAD'),
        get calls() {
          return calls.filter((call) => call.upstream === name);
        },
      };
    },
    verify() {
      const report = unmatchedReport();
      if (report) throw new Error(report);
      agent.assertNoPendingInterceptors();
    },
    async close() {
      await agent.close();
      const report = unmatchedReport();
      if (report) throw new Error(report);
    },
  };
}

function fallbackUrl(name: string): string {
  return `http://${name}.test`;
}

const skipDelay: NonNullable<ClientsOptions['sleep']> = async (_ms, signal) => {
  if (signal.aborted) throw signal.reason;
};

type Interceptor = ReturnType<ReturnType<MockAgent['get']>['intercept']>;

function interceptOptions(method: string, path: string, match: MockMatch = {}) {
  return {
    method,
    path,
    ...(match.query ? { query: match.query } : {}),
    ...(match.headers ? { headers: lowerCaseKeys(match.headers) } : {}),
    ...(match.body === undefined ? {} : { body: (text: string) => jsonEquals(text, match.body) }),
  };
}

/** The client sends header names in lower case. */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function answerFor(interceptor: Interceptor): MockAnswer {
  return {
    reply(status, body, headers = {}) {
      const type = body === undefined ? {} : { 'content-type': contentTypeOf(body) };
      return interceptor.reply(status, encode(body), { headers: { ...type, ...headers } });
    },
    replyData(data, status = 200) {
      return this.reply(status, { code: 0, message: 'ok', data: data === undefined ? null : data });
    },
    replyError(status, code, message = code, error) {
      return this.reply(status, error === undefined ? { code, message } : { code, message, error });
    },
    fail(error = refused()) {
      return interceptor.replyWithError(error);
    },
  };
}

function encode(body: unknown): string | Buffer {
  if (body === undefined) return '';
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  return JSON.stringify(body);
}

function contentTypeOf(body: unknown): string {
  if (typeof body === 'string') return 'text/plain; charset=utf-8';
  if (Buffer.isBuffer(body)) return 'application/octet-stream';
  return JSON_TYPE;
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED (mocked)'), { code: 'ECONNREFUSED' });
}

function jsonEquals(text: string, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), expected);
  } catch {
    return false;
  }
}

function describeUnmatched(call: MockCall): string {
  const who = call.upstream ? ` (upstream "${call.upstream}")` : '';
  return `  ${call.method} ${call.url}${who}`;
}

/** A MockAgent that records every call and names the one that matched no mock. */
class RecordingMockAgent extends MockAgent {
  readonly #names: ReadonlyMap<string, string>;
  readonly #calls: MockCall[];

  constructor(names: ReadonlyMap<string, string>, calls: MockCall[]) {
    super();
    this.#names = names;
    this.#calls = calls;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    const call = describeCall(opts, this.#names);
    this.#calls.push(call);
    const translate = (err: unknown): unknown => {
      if ((err as { code?: unknown })?.code !== 'UND_MOCK_ERR_MOCK_NOT_MATCHED') return err;
      call.matched = false;
      return new UnmatchedUpstreamCallError(call);
    };
    try {
      return super.dispatch(opts, withErrorsTranslated(handler, translate));
    } catch (err) {
      throw translate(err);
    }
  }
}

/** The handler with the errors it receives passed through `translate` first. */
function withErrorsTranslated(
  handler: Dispatcher.DispatchHandler,
  translate: (err: unknown) => unknown,
): Dispatcher.DispatchHandler {
  return new Proxy(handler, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'onError') return (err: Error) => value.call(target, translate(err));
      if (prop === 'onResponseError') {
        return (controller: unknown, err: Error) => value.call(target, controller, translate(err));
      }
      return value.bind(target);
    },
  });
}

/** A call reached the upstream mocks and none of the declared answers matched it. */
export class UnmatchedUpstreamCallError extends Error {
  readonly call: MockCall;
  constructor(call: MockCall) {
    const upstream = call.upstream ?? 'the upstream';
    const path = new URL(call.url).pathname;
    super(
      `No mock answers ${call.method} ${call.url}: declare it with ` +
        `t.mock('${upstream}').${call.method.toLowerCase()}('${path}')…`,
    );
    this.name = 'UnmatchedUpstreamCallError';
    this.call = call;
  }
}

function describeCall(
  opts: Dispatcher.DispatchOptions,
  names: ReadonlyMap<string, string>,
): MockCall {
  const origin = String(opts.origin ?? '').replace(/\/$/, '');
  return {
    upstream: names.get(origin),
    method: opts.method,
    url: `${origin}${opts.path}`,
    headers: plainHeaders(opts.headers),
    body: decodeBody(opts.body),
    matched: true,
  };
}

function plainHeaders(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return out;
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = String(value);
  }
  return out;
}

function decodeBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  const text =
    typeof body === 'string'
      ? body
      : body instanceof Uint8Array
        ? Buffer.from(body).toString('utf8')
        : undefined;
  if (text === undefined) return body;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

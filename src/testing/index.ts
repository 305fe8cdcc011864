import type { InjectOptions } from 'fastify';
import type { AnyRoute, Envelope, Service } from '../service/index.js';
import type { RouteArgs, RouteData, RouteInput } from '../service/route-types.js';
import type { MockUpstreams, UpstreamMock } from './upstreams.js';

export type { RouteData, RouteInput };
export { type TestDatabase, type TestDatabaseOptions, testDatabase } from './database.js';
export {
  type MockAnswer,
  type MockCall,
  type MockMatch,
  type MockScope,
  type MockUpstreams,
  type MockUpstreamsOptions,
  mockUpstreams,
  UnmatchedUpstreamCallError,
  type UpstreamMock,
} from './upstreams.js';

export interface TestResponse<T> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The parsed envelope (or the raw text when the reply is not JSON). */
  body: Envelope<T>;
  /** `body.data` of a success envelope, else undefined. */
  data: T | undefined;
}

/** One method per route, named by the route's `name`. */
export type TestClient<R extends AnyRoute> = {
  [K in R as K['name']]: (...args: RouteArgs<RouteInput<K>>) => Promise<TestResponse<RouteData<K>>>;
};

export interface TestHarness<R extends AnyRoute> {
  readonly service: Service<R>;
  /** Call any route by its name, in-process (no socket). */
  readonly client: TestClient<R>;
  /** Send any request in-process, e.g. to paths that are not routes. */
  request(options: InjectOptions): Promise<TestResponse<unknown>>;
  /**
   * Declare the answers of upstream `name` (needs `upstreams` in the options), e.g.
   * `t.mock('cities').get('/cities/1').replyData({ id: 1, name: 'Lyon' })`.
   */
  mock(name: string): UpstreamMock;
  /**
   * Run the stop hooks and release the service, then close the upstream mocks; rejects
   * if a call to an upstream matched no mock.
   */
  close(): Promise<void>;
}

export interface TestServiceOptions {
  /** Mocks the service's clients call (see `mockUpstreams`); `close()` closes them. */
  upstreams?: MockUpstreams;
}

interface LooseInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Start a service in-process (start hooks run, nothing listens) and get a typed client. */
export async function testService<R extends AnyRoute>(
  service: Service<R>,
  options: TestServiceOptions = {},
): Promise<TestHarness<R>> {
  const { upstreams } = options;
  await service.ready();
  const request = async (options: InjectOptions): Promise<TestResponse<unknown>> => {
    const res = await service.app.inject(options);
    const body = res.body.length > 0 && isJson(res.headers['content-type']) ? res.json() : res.body;
    return {
      status: res.statusCode,
      headers: res.headers,
      body,
      data: body && typeof body === 'object' && body.code === 0 ? body.data : undefined,
    };
  };
  const client: Record<string, (input?: LooseInput) => Promise<TestResponse<unknown>>> = {};
  for (const { route, url } of service.routes) {
    client[route.name] = async (input = {}) =>
      request({
        method: route.method,
        url: fillParams(url, input.params ?? {}),
        query: toQuery(input.query),
        headers: input.headers,
        ...(input.body === undefined ? {} : { payload: input.body as InjectOptions['payload'] }),
      });
  }
  return {
    service,
    client: client as unknown as TestClient<R>,
    request,
    mock(name) {
      if (!upstreams) {
        throw new Error('t.mock() needs upstream mocks: testService(service, { upstreams })');
      }
      return upstreams.mock(name);
    },
    async close() {
      try {
        await service.stop();
      } finally {
        await upstreams?.close();
      }
    },
  };
}

function isJson(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.includes('json');
}

function fillParams(url: string, params: Record<string, unknown>): string {
  return url.replace(/:(\w+)/g, (_, key: string) => {
    if (!(key in params)) throw new Error(`Missing path parameter "${key}" for ${url}`);
    return encodeURIComponent(String(params[key]));
  });
}

function toQuery(
  query: Record<string, unknown> | undefined,
): Record<string, string | string[]> | undefined {
  if (!query) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

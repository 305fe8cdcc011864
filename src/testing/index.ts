import type { InjectOptions } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { AnyRoute, Envelope, Route, Service } from '../service/index.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** `key: T` when T has required fields, `key?: T` when every field is optional. */
type Part<Key extends string, S> = S extends TSchema
  ? // biome-ignore lint/complexity/noBannedTypes: `{}` is the "all optional" probe
    {} extends Static<S>
    ? { [K in Key]?: Static<S> }
    : { [K in Key]: Static<S> }
  : { [K in Key]?: undefined };

/** What a route's test-client method takes: its params, query, body and headers, typed. */
export type RouteInput<R> =
  R extends Route<string, infer P, infer Q, infer B, infer H, infer _>
    ? Simplify<
        Part<'params', P> &
          Part<'query', Q> &
          Part<'body', B> &
          Omit<Part<'headers', H>, 'headers'> & {
            headers?: Record<string, string> & (H extends TSchema ? Partial<Static<H>> : unknown);
          }
      >
    : never;

export type RouteData<R> =
  R extends Route<string, infer _P, infer _Q, infer _B, infer _H, infer S>
    ? S extends TSchema
      ? Static<S>
      : unknown
    : never;

export interface TestResponse<T> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The parsed envelope (or the raw text when the reply is not JSON). */
  body: Envelope<T>;
  /** `body.data` of a success envelope, else undefined. */
  data: T | undefined;
}

type Args<I> =
  // biome-ignore lint/complexity/noBannedTypes: `{}` is the "all optional" probe
  {} extends I ? [input?: I] : [input: I];

/** One method per route, named by the route's `name`. */
export type TestClient<R extends AnyRoute> = {
  [K in R as K['name']]: (...args: Args<RouteInput<K>>) => Promise<TestResponse<RouteData<K>>>;
};

export interface TestHarness<R extends AnyRoute> {
  readonly service: Service<R>;
  /** Call any route by its name, in-process (no socket). */
  readonly client: TestClient<R>;
  /** Send any request in-process, e.g. to paths that are not routes. */
  request(options: InjectOptions): Promise<TestResponse<unknown>>;
  /** Run the stop hooks and release the service. */
  close(): Promise<void>;
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
): Promise<TestHarness<R>> {
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
    close: () => service.stop(),
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

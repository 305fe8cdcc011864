import type { Static, TSchema } from 'typebox';
import type {
  AnyRoute,
  HttpMethod,
  Route,
  RouteEntry,
  RouteGroup,
  RoutesOf,
  Service,
} from '../service/index.js';
import type { RouteArgs, RouteData, RouteInput } from '../service/route-types.js';
import type { CallOptions } from './call.js';
import type { Query } from './target.js';

/**
 * The routes described by `T`, which may be a route, a route group, a list of routes and
 * groups, a service, or a function returning any of these (`typeof cityRoutes`). Only its
 * type is used: `import type` the other service's routes, never its code.
 */
export type RoutesIn<T> = T extends (...args: never[]) => infer Out
  ? RoutesIn<Out>
  : T extends Service<infer R>
    ? R
    : T extends RouteGroup<infer Routes>
      ? Routes[number]
      : T extends readonly RouteEntry[]
        ? RoutesOf<T>
        : T extends AnyRoute
          ? T
          : never;

/** Where a route is reached: its method and full path template, e.g. `GET /cities/:id`. */
export type RouteAddress = `${HttpMethod} /${string}`;

/** The parameter names of a path template: `/a/:id/b/:from-:to` → `id | from | to`. */
export type PathParamNames<Path extends string> = Path extends `${string}:${infer Rest}`
  ? NameHead<Rest> | PathParamNames<Rest>
  : never;
type NameHead<S extends string> = Cut<Cut<Cut<Cut<S, '/'>, '('>, '-'>, '.'>;
type Cut<S extends string, C extends string> = S extends `${infer Head}${C}${string}` ? Head : S;

type ParamKeys<R> =
  Declared<R> extends Route<string, infer P, infer _Q, infer _B, infer _H, infer _R>
    ? P extends TSchema
      ? keyof Static<P> & string
      : never
    : never;

/**
 * Every address checked against its route: the name must be one of the routes, and the
 * path's parameters must be the route's `params`. A mistake shows as a type error whose
 * expected type says what is wrong.
 */
export type CheckedAddresses<R extends AnyRoute, A> = {
  [K in keyof A]: K extends R['name']
    ? A[K] extends `${HttpMethod} ${infer Path}`
      ? [PathParamNames<Path>] extends [ParamKeys<Extract<R, { name: K }>>]
        ? A[K]
        : `path parameters of ${K & string} must be among its params: ${ParamKeys<Extract<R, { name: K }>>}`
      : RouteAddress
    : `no route named ${K & string}`;
};

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type NoAny<T> = 0 extends 1 & T ? undefined : T;

/**
 * The route with the parts it does not declare set to `undefined`: inside `group()`, what
 * a route leaves out is inferred as `any`, which would let any value through.
 */
type Declared<R> =
  R extends Route<infer N, infer P, infer Q, infer B, infer H, infer S>
    ? Route<N, NoAny<P>, NoAny<Q>, NoAny<B>, NoAny<H>, NoAny<S>>
    : never;

/** Headers the route requires must be sent; any other header may be added. */
type HeadersInput<H> = H extends TSchema
  ? // biome-ignore lint/complexity/noBannedTypes: `{}` is the "all optional" probe
    {} extends Static<H>
    ? { headers?: Static<H> & Record<string, string> }
    : { headers: Static<H> & Record<string, string> }
  : { headers?: Record<string, string> };

type HeadersOf<R> =
  R extends Route<string, infer _P, infer _Q, infer _B, infer H, infer _S> ? H : never;

/** What a typed call of route `R` takes: its params, query, body and headers, checked. */
export type ServiceRouteInput<R> = Simplify<
  Omit<RouteInput<Declared<R>>, 'headers'> & HeadersInput<HeadersOf<Declared<R>>>
>;

/** What a typed call of route `R` resolves to: the `data` its route answers. */
export type ServiceRouteData<R> = RouteData<Declared<R>>;

/** What a typed call takes besides the route's own input: per-call controls. */
export type RouteCallOptions = Pick<
  CallOptions,
  'signal' | 'deadlineMs' | 'retries' | 'idempotent'
>;

/** One method per listed route: checked input, and the route's response data back. */
export type ServiceClient<R extends AnyRoute, Names extends PropertyKey = R['name']> = {
  [K in Extract<R, { name: Names }> as K['name']]: (
    ...args: RouteArgs<ServiceRouteInput<K> & RouteCallOptions>
  ) => Promise<ServiceRouteData<K>>;
};

/** Sends one call and returns the data it answered (envelope unwrapped). */
export type RouteSender = (
  method: HttpMethod,
  template: string,
  input: LooseInput,
) => Promise<unknown>;

interface LooseInput extends RouteCallOptions {
  params?: Record<string, unknown>;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The runtime side of `client.routes(addresses)`: one function per address. */
export function bindRoutes(
  send: RouteSender,
  addresses: Readonly<Record<string, string>>,
): Record<string, (input?: LooseInput) => Promise<unknown>> {
  const methods: Record<string, (input?: LooseInput) => Promise<unknown>> = {};
  for (const [name, address] of Object.entries(addresses)) {
    const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S*)$/.exec(address);
    if (!match) {
      throw new TypeError(`Route "${name}": address must look like "GET /path", got "${address}"`);
    }
    const [, method, template] = match as unknown as [string, HttpMethod, string];
    methods[name] = (input = {}) => send(method, template, input);
  }
  return methods;
}

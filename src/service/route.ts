import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { AuthPart, RouteAuth } from '../auth/types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

type SchemaOrNone = TSchema | undefined;

/** The static type of a schema, or `Fallback` when the route declares none. */
export type StaticOr<S, Fallback> = S extends TSchema ? Static<S> : Fallback;

/**
 * The request a handler sees: Fastify's request with `params`, `query`, `body` and
 * `headers` typed from the route's schemas.
 */
export type RouteRequest<P, Q, B, H> = Omit<
  FastifyRequest,
  'params' | 'query' | 'body' | 'headers'
> & {
  params: StaticOr<P, Record<string, string>>;
  query: StaticOr<Q, Record<string, unknown>>;
  body: StaticOr<B, unknown>;
  headers: FastifyRequest['headers'] & StaticOr<H, unknown>;
};

type MaybePromise<T> = T | Promise<T>;

/** A route's `auth` option: bearer authentication, or `false` to opt out of its group's. */
export type RouteAuthOption = RouteAuth | false | undefined;

/** What a route declares. Handlers return plain data; Wharf wraps it in the envelope. */
export interface RouteSpec<
  N extends string,
  P extends SchemaOrNone,
  Q extends SchemaOrNone,
  B extends SchemaOrNone,
  H extends SchemaOrNone,
  R extends SchemaOrNone,
  // biome-ignore lint/suspicious/noExplicitAny: untracked unless route() infers it
  A extends RouteAuthOption = any,
> {
  method: HttpMethod;
  /** Path relative to the group prefix, Fastify syntax (`/:id`). */
  url: string;
  /** Unique in the service: the OpenAPI operationId and the test client's method name. */
  name: N;
  summary?: string;
  description?: string;
  tags?: string[];
  params?: P;
  query?: Q;
  body?: B;
  headers?: H;
  /** Schema of `data` in the success envelope; also compiles the serializer. */
  response?: R;
  /** Success status; 200 unless set (e.g. 201 for a create). */
  status?: number;
  /**
   * Opt out of the envelope: the handler owns the reply (streams, files, redirects)
   * and its return value is sent as it is.
   */
  raw?: boolean;
  /** Leave the route out of the OpenAPI spec. */
  hidden?: boolean;
  /**
   * This route's own rate limit per client address (`max` requests per `windowMs`), or
   * `false` to exempt it from the global one (`rateLimit.global`).
   */
  rateLimit?: { max: number; windowMs: number } | false;
  /**
   * Require a bearer token (JWT) with these scopes; the handler sees its claims as
   * `request.auth`. Merged over the group's option; `false` opts out of the group's.
   */
  auth?: A;
  handler: (
    request: RouteRequest<P, Q, B, H> & AuthPart<A>,
    reply: FastifyReply,
  ) => MaybePromise<R extends TSchema ? Static<R> : unknown>;
}

/** A route as the service holds it; `Name` and the schema types carry through to the test client. */
export interface Route<
  N extends string = string,
  P extends SchemaOrNone = SchemaOrNone,
  Q extends SchemaOrNone = SchemaOrNone,
  B extends SchemaOrNone = SchemaOrNone,
  H extends SchemaOrNone = SchemaOrNone,
  R extends SchemaOrNone = SchemaOrNone,
  // biome-ignore lint/suspicious/noExplicitAny: see RouteSpec
  A extends RouteAuthOption = any,
> extends RouteSpec<N, P, Q, B, H, R, A> {
  readonly kind: 'route';
}

// biome-ignore lint/suspicious/noExplicitAny: handler variance makes `any` the only common supertype
export type AnyRoute = Route<string, any, any, any, any, any>;

/** Declare a route; every type in the handler is inferred from the schemas. */
export function route<
  const N extends string,
  P extends SchemaOrNone = undefined,
  Q extends SchemaOrNone = undefined,
  B extends SchemaOrNone = undefined,
  H extends SchemaOrNone = undefined,
  R extends SchemaOrNone = undefined,
  const A extends RouteAuthOption = undefined,
>(spec: RouteSpec<N, P, Q, B, H, R, A>): Route<N, P, Q, B, H, R, A> {
  return { ...spec, kind: 'route' };
}

export interface GroupOptions {
  /** URL prefix of every route in the group, e.g. `/cities`. */
  prefix: string;
  /** Tags added to every route (OpenAPI grouping). */
  tags?: string[];
  /** Bearer authentication of every route; a route's own `auth` is merged over it. */
  auth?: RouteAuth;
}

/**
 * What `group()` and `createService()` accept as a route. Deliberately loose: a parameter
 * typed with `AnyRoute` would hand its `any` schemas to `route()` as a contextual type,
 * and every part a route leaves out would then be inferred as `any` instead of `undefined`.
 */
export interface RouteLike {
  readonly kind: 'route';
  readonly name: string;
}

/** A blueprint: routes that share a prefix and tags. */
export interface RouteGroup<Routes extends readonly RouteLike[] = readonly RouteLike[]> {
  readonly kind: 'group';
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly auth?: RouteAuth;
  readonly routes: Routes;
}

export function group<const Routes extends readonly RouteLike[]>(
  options: GroupOptions,
  routes: Routes,
): RouteGroup<Routes> {
  const { prefix, tags = [], auth } = options;
  return { kind: 'group', prefix, tags, ...(auth ? { auth } : {}), routes };
}

export type RouteEntry = RouteLike | RouteGroup;

/** The routes of a list of entries, groups flattened. */
export type RoutesOf<Entries extends readonly RouteEntry[]> = Extract<
  {
    [I in keyof Entries]: Entries[I] extends RouteGroup<infer R> ? R[number] : Entries[I];
  }[number],
  AnyRoute
>;

/** A route with its group's prefix and tags applied: what gets registered. */
export interface ResolvedRoute {
  route: AnyRoute;
  url: string;
  tags: string[];
  /** The route's bearer authentication, its group's applied; undefined when it has none. */
  auth?: RouteAuth;
}

export function resolveRoutes(entries: readonly RouteEntry[]): ResolvedRoute[] {
  const out: ResolvedRoute[] = [];
  for (const entry of entries) {
    if (entry.kind === 'group') {
      for (const r of entry.routes as readonly AnyRoute[]) {
        out.push({
          route: r,
          url: joinUrl(entry.prefix, r.url),
          tags: [...entry.tags, ...(r.tags ?? [])],
          ...authOf(entry.auth, r.auth),
        });
      }
    } else {
      const r = entry as AnyRoute;
      out.push({
        route: r,
        url: joinUrl('', r.url),
        tags: [...(r.tags ?? [])],
        ...authOf(undefined, r.auth),
      });
    }
  }
  return out;
}

/** The group's auth with the route's over it: scopes add up, the route's `required` wins. */
function authOf(group: RouteAuth | undefined, own: RouteAuthOption): { auth?: RouteAuth } {
  if (own === false || (!group && !own)) return {};
  const scopes = [...new Set([...(group?.scopes ?? []), ...(own?.scopes ?? [])])];
  return { auth: { required: own?.required ?? group?.required ?? true, scopes } };
}

function joinUrl(prefix: string, url: string): string {
  const joined = `/${prefix}/${url}`.replace(/\/{2,}/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

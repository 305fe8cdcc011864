import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';

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

/** What a route declares. Handlers return plain data; Wharf wraps it in the envelope. */
export interface RouteSpec<
  N extends string,
  P extends SchemaOrNone,
  Q extends SchemaOrNone,
  B extends SchemaOrNone,
  H extends SchemaOrNone,
  R extends SchemaOrNone,
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
  handler: (
    request: RouteRequest<P, Q, B, H>,
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
> extends RouteSpec<N, P, Q, B, H, R> {
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
>(spec: RouteSpec<N, P, Q, B, H, R>): Route<N, P, Q, B, H, R> {
  return { ...spec, kind: 'route' };
}

export interface GroupOptions {
  /** URL prefix of every route in the group, e.g. `/cities`. */
  prefix: string;
  /** Tags added to every route (OpenAPI grouping). */
  tags?: string[];
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
  readonly routes: Routes;
}

export function group<const Routes extends readonly RouteLike[]>(
  options: GroupOptions,
  routes: Routes,
): RouteGroup<Routes> {
  return { kind: 'group', prefix: options.prefix, tags: options.tags ?? [], routes };
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
        });
      }
    } else {
      const r = entry as AnyRoute;
      out.push({ route: r, url: joinUrl('', r.url), tags: [...(r.tags ?? [])] });
    }
  }
  return out;
}

function joinUrl(prefix: string, url: string): string {
  const joined = `/${prefix}/${url}`.replace(/\/{2,}/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

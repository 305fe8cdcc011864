import type { Static, TSchema } from 'typebox';
import type { Route } from './route.js';

/**
 * What a caller of a route sends and gets back, derived from the route's schemas. Shared
 * by the test client and the service client, so both check calls the same way.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** `key: T` when T has required fields, `key?: T` when every field is optional. */
type Part<Key extends string, S> = S extends TSchema
  ? // biome-ignore lint/complexity/noBannedTypes: `{}` is the "all optional" probe
    {} extends Static<S>
    ? { [K in Key]?: Static<S> }
    : { [K in Key]: Static<S> }
  : { [K in Key]?: undefined };

/** What a call to a route takes: its params, query, body and headers, typed. */
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

/** What a route answers: the `data` of its success envelope. */
export type RouteData<R> =
  R extends Route<string, infer _P, infer _Q, infer _B, infer _H, infer S>
    ? S extends TSchema
      ? Static<S>
      : unknown
    : never;

/** The arguments of a call: the input may be left out when none of its fields is required. */
export type RouteArgs<I> =
  // biome-ignore lint/complexity/noBannedTypes: `{}` is the "all optional" probe
  {} extends I ? [input?: I] : [input: I];

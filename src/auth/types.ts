import type { JWTPayload } from 'jose';

/**
 * The types of bearer authentication that route declarations need. A leaf: it imports
 * nothing of Wharf, so `service/route.ts` can use it without depending on the verifier.
 */

/** Who called: the verified claims of the bearer token. */
export interface AuthInfo {
  /** The `sub` claim: the user or client the token was issued to. */
  sub: string | undefined;
  /** Granted scopes, from `scope` (space-separated), `scp` and `scopes`. */
  scopes: readonly string[];
  /** Every claim of the verified token. */
  claims: JWTPayload;
}

/** A route's or group's `auth` option. */
export interface RouteAuth {
  /**
   * Whether a token must be sent (default true). When false a request without one is let
   * through with `request.auth` undefined; a token that is sent must still be valid.
   */
  required?: boolean;
  /** Scopes the token must grant, all of them; missing ones get 403 INSUFFICIENT_SCOPE. */
  scopes?: readonly string[];
}

/**
 * What the handler's request gains from the route's `auth` option: `auth` always set when
 * a token is required, possibly undefined when it is optional. Untracked (`any`) in
 * `AnyRoute` and in route types written without it.
 */
export type AuthPart<A> = 0 extends 1 & A
  ? // biome-ignore lint/suspicious/noExplicitAny: an untracked option must not narrow the request
    any
  : A extends { required: false }
    ? { auth?: AuthInfo }
    : A extends RouteAuth
      ? { auth: AuthInfo }
      : unknown;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified bearer token on routes with an `auth` option (routes of a group with
     * `auth` included); undefined elsewhere and when an optional token was not sent.
     */
    auth?: AuthInfo;
  }
}

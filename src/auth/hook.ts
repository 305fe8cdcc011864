import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ErrorCode,
  ForbiddenError,
  RouteDefinitionError,
  ServiceError,
  UnauthorizedError,
} from '../errors/index.js';
import { bearerChallenge, CHALLENGE_HEADER } from './challenge.js';
import type { JwtSettings } from './keys.js';
import { isScopeToken, missingScopes } from './scopes.js';
import type { RouteAuth } from './types.js';
import { createTokenVerifier, type TokenVerifier } from './verify.js';

/** The onRequest hook of one protected route. */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Makes the hook of each protected route; see `createAuthHooks`. */
export type AuthHooks = (routeName: string, auth: RouteAuth) => AuthHook;

// RFC 6750 §2.1: the scheme, then a b64token.
const BEARER_SCHEME = /^bearer(?: |$)/i;
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * One verifier per service, made when the first protected route is registered: a service
 * without protected routes never needs keys, and one with them fails its start when it
 * has none (ConfigError).
 */
export function createAuthHooks(settings: JwtSettings): AuthHooks {
  let verifier: TokenVerifier | undefined;
  return (routeName, auth) => {
    const scopes = auth.scopes ?? [];
    assertScopes(routeName, scopes);
    verifier ??= createTokenVerifier(settings, routeName);
    return authenticate(verifier, auth.required ?? true, scopes);
  };
}

function authenticate(
  verify: TokenVerifier,
  required: boolean,
  scopes: readonly string[],
): AuthHook {
  return async function wharfAuth(request, reply) {
    try {
      const token = bearerToken(request.headers.authorization);
      if (token === undefined) {
        if (required)
          throw new UnauthorizedError(
            'A bearer token is required',
            undefined,
            ErrorCode.tokenMissing,
          );
        return;
      }
      const auth = await verify(token);
      const missing = missingScopes(scopes, auth.scopes);
      if (missing.length > 0) {
        throw new ForbiddenError(
          'The bearer token lacks a required scope',
          { missing },
          ErrorCode.insufficientScope,
        );
      }
      request.auth = auth;
    } catch (err) {
      if (err instanceof ServiceError && (err.status === 401 || err.status === 403)) {
        reply.header(CHALLENGE_HEADER, bearerChallenge(err, scopes));
      }
      throw err;
    }
  };
}

/**
 * The token of an `Authorization: Bearer <token>` header; undefined when the header is
 * absent or names another scheme. A Bearer header without a well-formed token is invalid.
 */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || !BEARER_SCHEME.test(header)) return undefined;
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    throw new UnauthorizedError(
      'The Authorization header is not "Bearer <token>"',
      undefined,
      ErrorCode.tokenInvalid,
    );
  }
  return token;
}

function assertScopes(routeName: string, scopes: readonly string[]): void {
  const bad = scopes.find((scope) => !isScopeToken(scope));
  if (bad !== undefined) {
    throw new RouteDefinitionError(
      `Route "${routeName}": auth scope ${JSON.stringify(bad)} is not a scope token (printable ASCII without space, " or \\)`,
    );
  }
}

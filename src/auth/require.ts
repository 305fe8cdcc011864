import type { FastifyRequest } from 'fastify';
import { ErrorCode, UnauthorizedError } from '../errors/index.js';
import type { AuthInfo } from './types.js';

/**
 * `request.auth`, or 401 TOKEN_MISSING without it. For handlers whose route gets its
 * `auth` from a group or makes the token optional, where the type cannot promise it.
 */
export function requireAuth(request: Pick<FastifyRequest, 'auth'>): AuthInfo {
  if (request.auth) return request.auth;
  throw new UnauthorizedError('A bearer token is required', undefined, ErrorCode.tokenMissing);
}

import { ErrorCode, type ServiceError } from '../errors/index.js';

/** The response header that tells a client how to authenticate (RFC 6750 §3). */
export const CHALLENGE_HEADER = 'www-authenticate';

/**
 * The `WWW-Authenticate` value for an authentication failure. A request that sent no
 * token gets the bare challenge without an error code, as RFC 6750 §3.1 asks.
 */
export function bearerChallenge(error: ServiceError, scopes: readonly string[]): string {
  const params: string[] = [];
  switch (error.code) {
    case ErrorCode.tokenMissing:
      break;
    case ErrorCode.insufficientScope:
      params.push('error="insufficient_scope"');
      break;
    default:
      params.push('error="invalid_token"', `error_description="${error.message}"`);
  }
  // Scope tokens never contain `"` or `\` (checked when the route is registered).
  if (scopes.length > 0) params.push(`scope="${scopes.join(' ')}"`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

import { errors, jwtVerify } from 'jose';
import {
  ConfigError,
  ErrorCode,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../errors/index.js';
import {
  allowedAlgorithms,
  hasHmacKey,
  hasKeySet,
  type JwtSettings,
  KeySetUnavailable,
  keyLookup,
  MIN_SECRET_LENGTH,
} from './keys.js';
import { readScopes } from './scopes.js';
import type { AuthInfo } from './types.js';

/** Checks one bearer token; rejects with the ServiceError the caller gets. */
export type TokenVerifier = (token: string) => Promise<AuthInfo>;

/**
 * A verifier for the configured keys. Throws ConfigError when they cannot work, so a
 * service that protects routes without keys fails to start instead of refusing every call.
 */
export function createTokenVerifier(settings: JwtSettings, routeName: string): TokenVerifier {
  assertUsable(settings, routeName);
  const key = keyLookup(settings);
  const options = {
    algorithms: allowedAlgorithms(settings),
    issuer: settings.issuer || undefined,
    audience: settings.audience || undefined,
    clockTolerance: settings.clockToleranceSec,
    // A token without an expiry would stay valid forever once leaked.
    requiredClaims: ['exp'],
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, options);
      return { sub: payload.sub, scopes: readScopes(payload), claims: payload };
    } catch (err) {
      throw verificationError(err);
    }
  };
}

function assertUsable(settings: JwtSettings, routeName: string): void {
  if (!hasHmacKey(settings) && !hasKeySet(settings)) {
    throw new ConfigError(
      `Route "${routeName}" requires auth, but neither auth.jwt.secret (JWT_SECRET) nor auth.jwt.jwksUrl (JWT_JWKS_URL) is set`,
    );
  }
  if (hasHmacKey(settings) && settings.secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `auth.jwt.secret must be at least ${MIN_SECRET_LENGTH} characters long, got ${settings.secret.length}`,
    );
  }
  if (hasKeySet(settings) && !URL.canParse(settings.jwksUrl)) {
    throw new ConfigError(`auth.jwt.jwksUrl is not a URL: "${settings.jwksUrl}"`);
  }
  if (allowedAlgorithms(settings).length === 0) {
    throw new ConfigError(
      `auth.jwt.algorithms (${settings.algorithms.join(', ')}) has no algorithm the configured keys can check: HS* need auth.jwt.secret, the others auth.jwt.jwksUrl`,
    );
  }
}

/** What the caller gets; the reason jose gave stays in the error's cause, for the log. */
function verificationError(err: unknown): unknown {
  if (err instanceof KeySetUnavailable) {
    const error = new ServiceUnavailableError(
      'Token keys are unavailable, retry later',
      undefined,
      ErrorCode.authUnavailable,
    );
    error.cause = err;
    return error;
  }
  if (err instanceof errors.JWTExpired) {
    return tokenError('The bearer token has expired', ErrorCode.tokenExpired, err);
  }
  if (err instanceof errors.JOSEError) {
    return tokenError('The bearer token is invalid', ErrorCode.tokenInvalid, err);
  }
  return err;
}

function tokenError(message: string, code: string, cause: unknown): UnauthorizedError {
  const error = new UnauthorizedError(message, undefined, code);
  error.cause = cause;
  return error;
}

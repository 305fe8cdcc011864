import { type JWTPayload, SignJWT } from 'jose';
import { ConfigError } from '../errors/index.js';
import { MIN_SECRET_LENGTH } from './keys.js';

export interface SignTokenOptions {
  /** The shared secret, the same as `auth.jwt.secret` of the services that verify it. */
  secret: string;
  /**
   * Lifetime: seconds, or a span such as `'15m'`, `'1h'`, `'7d'`. 15 minutes unless set;
   * services reject tokens without an expiry.
   */
  expiresIn?: number | string;
  /** `iss`; empty or undefined leaves it out. */
  issuer?: string;
  /** `aud`; empty or undefined leaves it out. */
  audience?: string | string[];
  /** HMAC algorithm, HS256 unless set. */
  algorithm?: 'HS256' | 'HS384' | 'HS512';
}

const DEFAULT_EXPIRES_IN = '15m';

/**
 * Issue an HMAC-signed JWT, e.g. after a login. `claims` carry `sub` and `scope` (or
 * `scp`/`scopes`); `iat` and `exp` are set here. The options take the service's own
 * settings as they are: `signToken(claims, { ...service.config.auth.jwt, expiresIn: '1h' })`.
 */
export async function signToken(claims: JWTPayload, options: SignTokenOptions): Promise<string> {
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `signToken: the secret must be at least ${MIN_SECRET_LENGTH} characters long, got ${options.secret.length}`,
    );
  }
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(expiry(options.expiresIn ?? DEFAULT_EXPIRES_IN));
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (hasAudience(options.audience)) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

/** jose reads a number as an absolute time; here it is a lifetime in seconds. */
function expiry(expiresIn: number | string): number | string {
  return typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn;
}

function hasAudience(audience: string | string[] | undefined): audience is string | string[] {
  return Array.isArray(audience) ? audience.length > 0 : Boolean(audience);
}

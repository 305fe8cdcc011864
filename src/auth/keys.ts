import {
  type CryptoKey,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
} from 'jose';
import type { CoreConfig } from '../config/schema.js';

export type JwtSettings = CoreConfig['auth']['jwt'];

/** jose's key lookup: the key that verifies a token with this header. */
export type KeyLookup = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey | Uint8Array>;

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash (256 bits for HS256). */
export const MIN_SECRET_LENGTH = 32;

/**
 * The key set could not be fetched (unreachable, timed out, not a key set). Not the
 * token's fault, so the request gets 503, never 401.
 */
export class KeySetUnavailable extends Error {
  constructor(cause: unknown) {
    super('The JSON Web Key Set could not be fetched', { cause });
    this.name = 'KeySetUnavailable';
  }
}

// What jose raises while fetching the set; anything else it raises is about the token.
const FETCH_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export function hasHmacKey(settings: JwtSettings): boolean {
  return settings.secret !== '';
}

export function hasKeySet(settings: JwtSettings): boolean {
  return settings.jwksUrl !== '';
}

export function isHmac(alg: string | undefined): boolean {
  return alg?.startsWith('HS') ?? false;
}

/**
 * HS* tokens are checked with the shared secret, every other algorithm with the key set.
 * Keeping the two apart means a public key can never be used as an HMAC secret.
 */
export function keyLookup(settings: JwtSettings): KeyLookup {
  const secret = hasHmacKey(settings) ? new TextEncoder().encode(settings.secret) : undefined;
  const keySet = hasKeySet(settings)
    ? createRemoteJWKSet(new URL(settings.jwksUrl), {
        timeoutDuration: settings.jwksTimeoutMs,
        cooldownDuration: settings.jwksCooldownMs,
        cacheMaxAge: settings.jwksCacheMaxAgeMs,
      })
    : undefined;
  return async (header, token) => {
    if (isHmac(header.alg)) {
      if (secret) return secret;
    } else if (keySet) {
      try {
        return await keySet(header, token);
      } catch (err) {
        if (err instanceof errors.JOSEError && !FETCH_FAILURES.has(err.code)) throw err;
        throw new KeySetUnavailable(err);
      }
    }
    // Only reachable for an algorithm allowed without its key; see allowedAlgorithms.
    throw new errors.JOSEAlgNotAllowed(`No key is configured for "${header.alg}" tokens`);
  };
}

/** The configured algorithms that have a key to check them with. */
export function allowedAlgorithms(settings: JwtSettings): string[] {
  return settings.algorithms.filter((alg) =>
    isHmac(alg) ? hasHmacKey(settings) : hasKeySet(settings),
  );
}

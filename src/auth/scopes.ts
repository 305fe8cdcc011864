import type { JWTPayload } from 'jose';

/** RFC 6749's scope-token: printable ASCII without space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(scope: string): boolean {
  return SCOPE_TOKEN.test(scope);
}

/**
 * The scopes a token grants. Issuers disagree on the claim: OAuth 2 servers send `scope`
 * as one space-separated string, others `scp` or `scopes`, as a list or a string. All
 * three are read and merged; entries that are not strings are ignored.
 */
export function readScopes(claims: JWTPayload): string[] {
  const found = new Set<string>();
  for (const claim of [claims.scope, claims.scp, claims.scopes]) {
    for (const scope of asList(claim)) found.add(scope);
  }
  return [...found];
}

function asList(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(claim)) return claim.filter((scope) => typeof scope === 'string');
  return [];
}

/** The required scopes the granted ones lack. */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  return required.filter((scope) => !granted.includes(scope));
}

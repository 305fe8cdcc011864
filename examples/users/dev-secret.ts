import { randomBytes } from 'node:crypto';
import type { CoreConfig } from 'wharf';

/**
 * `config` with a JWT secret for development when it has none: random for each process,
 * so tokens die with it and the secret can never end up in a deployment. `JWT_SECRET`
 * (auth.jwt.secret) overrides it; `generated` says whether it was needed, so the caller
 * can warn that this is no production setting.
 */
export function withDevJwtSecret(config: CoreConfig): { config: CoreConfig; generated: boolean } {
  const { jwt } = config.auth;
  if (jwt.secret !== '') return { config, generated: false };
  const secret = randomBytes(32).toString('base64url');
  return {
    config: { ...config, auth: { ...config.auth, jwt: { ...jwt, secret } } },
    generated: true,
  };
}

/** What to log when `withDevJwtSecret` made the secret up. */
export const DEV_SECRET_WARNING =
  'auth.jwt.secret is not set: using a random secret for development only; tokens are void ' +
  'after a restart. Set JWT_SECRET (at least 32 characters) in any real deployment.';

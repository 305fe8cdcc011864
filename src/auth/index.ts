export { CHALLENGE_HEADER } from './challenge.js';
export { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from './password.js';
export { requireAuth } from './require.js';
export { readScopes } from './scopes.js';
export { type SignTokenOptions, signToken } from './sign.js';
export type { AuthInfo, RouteAuth } from './types.js';

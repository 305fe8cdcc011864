import { SignJWT } from 'jose';
import { type CoreConfig, createService, type DeepPartial, group, route, Type } from 'wharf';

export const SECRET = 'a-test-secret-of-at-least-32-chars!';
export const ISSUER = 'https://login.example.test';
export const AUDIENCE = 'orders';

type JwtConfig = DeepPartial<CoreConfig['auth']['jwt']>;

/** A service with a public route, protected ones, a scoped one and a group with auth. */
export function ordersService(jwt: JwtConfig = { secret: SECRET }) {
  return createService({
    name: 'orders',
    config: { log: { level: 'silent' }, auth: { jwt } },
    routes: [
      route({ method: 'GET', url: '/ping', name: 'ping', handler: () => 'pong' }),
      route({
        method: 'GET',
        url: '/me',
        name: 'me',
        auth: {},
        response: Type.Object({ sub: Type.String(), scopes: Type.Array(Type.String()) }),
        handler: (request) => ({ sub: request.auth.sub ?? '', scopes: [...request.auth.scopes] }),
      }),
      route({
        method: 'POST',
        url: '/orders',
        name: 'createOrder',
        auth: { scopes: ['orders:write'] },
        body: Type.Object({ sku: Type.String() }),
        status: 201,
        handler: (request) => ({ sku: request.body.sku, by: request.auth.sub }),
      }),
      route({
        method: 'GET',
        url: '/greeting',
        name: 'greeting',
        auth: { required: false },
        handler: (request) => `hello ${request.auth?.sub ?? 'stranger'}`,
      }),
      group({ prefix: '/admin', auth: { scopes: ['admin'] } }, [
        route({
          method: 'GET',
          url: '/stats',
          name: 'stats',
          auth: { scopes: ['stats:read'] },
          handler: (request) => request.auth?.scopes ?? [],
        }),
        route({
          method: 'GET',
          url: '/open',
          name: 'adminOpen',
          auth: false,
          handler: () => 'open',
        }),
      ]),
    ],
  });
}

export interface TokenOptions {
  secret?: string;
  expiresAt?: number | string;
  issuer?: string;
  audience?: string;
  alg?: string;
}

/** An HS256 token signed here with jose directly, so the tests do not trust signToken. */
export function hmacToken(claims: Record<string, unknown>, options: TokenOptions = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? '5m');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

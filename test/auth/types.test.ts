import { describe, expectTypeOf, it } from 'vitest';
import { type AuthInfo, group, type RouteRequest, route } from 'wharf';
import { requireAuth } from 'wharf/auth';

type Request<R> = R extends { handler: (request: infer Q, ...rest: never[]) => unknown }
  ? Q
  : never;

describe('request.auth types', () => {
  it('is always set on a route that requires a token', () => {
    const r = route({
      method: 'GET',
      url: '/',
      name: 'me',
      auth: { scopes: ['a'] },
      handler: () => 1,
    });
    expectTypeOf<Request<typeof r>['auth']>().toEqualTypeOf<AuthInfo>();
    const plain = route({ method: 'GET', url: '/', name: 'me', auth: {}, handler: () => 1 });
    expectTypeOf<Request<typeof plain>['auth']>().toEqualTypeOf<AuthInfo>();
  });

  it('may be undefined when the token is optional or the route declares no auth', () => {
    const optional = route({
      method: 'GET',
      url: '/',
      name: 'hi',
      auth: { required: false },
      handler: () => 1,
    });
    expectTypeOf<Request<typeof optional>['auth']>().toEqualTypeOf<AuthInfo | undefined>();
    const none = route({ method: 'GET', url: '/', name: 'x', handler: () => 1 });
    expectTypeOf<Request<typeof none>['auth']>().toEqualTypeOf<AuthInfo | undefined>();
    expectTypeOf<RouteRequest<undefined, undefined, undefined, undefined>['auth']>().toEqualTypeOf<
      AuthInfo | undefined
    >();
  });

  it('gives requireAuth for routes that get their auth from a group', () => {
    group({ prefix: '/admin', auth: { scopes: ['admin'] } }, [
      route({
        method: 'GET',
        url: '/',
        name: 'admin',
        handler: (request) => {
          expectTypeOf(requireAuth(request)).toEqualTypeOf<AuthInfo>();
          return requireAuth(request).sub;
        },
      }),
    ]);
  });

  it('refuses an auth option of the wrong shape', () => {
    // @ts-expect-error scopes are strings
    route({ method: 'GET', url: '/', name: 'x', auth: { scopes: [1] }, handler: () => 1 });
  });
});

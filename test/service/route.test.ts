import { describe, expect, expectTypeOf, it } from 'vitest';
import { createService, group, route, Type } from 'wharf';
import type { RouteData, RouteInput } from 'wharf/testing';

describe('route types', () => {
  it('keep parts a grouped route leaves out as undefined, not any', () => {
    const things = group({ prefix: '/things' }, [
      route({
        method: 'GET',
        url: '/:id',
        name: 'getThing',
        params: Type.Object({ id: Type.Integer() }),
        handler: (req) => {
          expectTypeOf(req.params).toEqualTypeOf<{ id: number }>();
          expectTypeOf(req.body).toEqualTypeOf<unknown>();
          expectTypeOf(req.query).toEqualTypeOf<Record<string, unknown>>();
          return req.params.id;
        },
      }),
    ]);
    type GetThing = (typeof things)['routes'][number];
    expectTypeOf<GetThing['body']>().toEqualTypeOf<undefined>();
    expectTypeOf<GetThing['query']>().toEqualTypeOf<undefined>();
    expectTypeOf<RouteData<GetThing>>().toEqualTypeOf<unknown>();
    expectTypeOf<RouteInput<GetThing>>().toHaveProperty('params');
    // @ts-expect-error a route without a body schema takes no body in the test client
    const input: RouteInput<GetThing> = { params: { id: 1 }, body: { any: 'thing' } };
    expect(input.params.id).toBe(1);
  });

  it('resolve group prefixes and tags into full URLs', () => {
    const things = group({ prefix: '/things/', tags: ['things'] }, [
      route({ method: 'GET', url: '/', name: 'listThings', tags: ['list'], handler: () => [] }),
      route({ method: 'GET', url: '/:id/', name: 'getThing', handler: () => null }),
    ]);
    const service = createService({
      name: 't',
      routes: [things, route({ method: 'GET', url: 'top', name: 'top', handler: () => 1 })],
    });
    const byName = Object.fromEntries(service.routes.map((r) => [r.route.name, r]));
    expect(byName.listThings).toMatchObject({ url: '/things', tags: ['things', 'list'] });
    expect(byName.getThing).toMatchObject({ url: '/things/:id', tags: ['things'] });
    expect(byName.top).toMatchObject({ url: '/top', tags: [] });
  });
});

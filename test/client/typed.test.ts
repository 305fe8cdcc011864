import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { UpstreamError } from 'wharf';
import { createClient, type HttpClient, type PathParamNames, type RoutesIn } from 'wharf/client';
import { type CityRoutes, citiesService } from './fixtures.js';

type City = { id: number; name: string };

describe('typed service client', () => {
  const service = citiesService({ http: { host: '127.0.0.1', port: 0 } });
  let client: HttpClient<CityRoutes>;

  beforeAll(async () => {
    const url = await service.listen();
    client = createClient<CityRoutes>({ name: 'cities', baseUrl: url });
  });

  afterAll(async () => {
    await client.close();
    await service.stop();
  });

  function cities() {
    return client.routes({
      getCity: 'GET /cities/:id',
      listCities: 'GET /cities',
      createCity: 'POST /cities',
      deleteCity: 'DELETE /cities/:id',
    });
  }

  it('calls a route by name and resolves to its response data', async () => {
    const city = await cities().getCity({ params: { id: 1 } });
    expectTypeOf(city).toEqualTypeOf<City>();
    expect(city).toEqual({ id: 1, name: 'Lyon' });
  });

  it('sends query, body and headers and returns the data of a 201', async () => {
    const api = cities();
    const created = await api.createCity({
      body: { name: 'Osaka' },
      headers: { 'x-tenant': 't1' },
    });
    expect(created).toEqual({ id: 3, name: 'Osaka' });
    const page = await api.listCities({ query: { limit: 1 } });
    expectTypeOf(page).toEqualTypeOf<City[]>();
    expect(page).toEqual([{ id: 1, name: 'Lyon' }]);
    expect(await api.deleteCity({ params: { id: 3 } })).toBeNull();
  });

  it('throws UpstreamError with the route’s error code', async () => {
    const err = await cities()
      .getCity({ params: { id: 404 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      upstream: 'cities',
      upstreamStatus: 404,
      upstreamCode: 'CITY_NOT_FOUND',
      upstreamError: { id: 404 },
    });
  });

  it('surfaces a request the upstream rejects as its VALIDATION_FAILED', async () => {
    const api = cities();
    await expect(
      api.createCity({ body: { name: '' }, headers: { 'x-tenant': 't1' } }),
    ).rejects.toMatchObject({ upstreamStatus: 400, upstreamCode: 'VALIDATION_FAILED' });
  });

  it('checks every call against the route at compile time', () => {
    const api = cities();
    expectTypeOf(api.getCity).parameter(0).toMatchTypeOf<{ params: { id: number } }>();
    expectTypeOf(api.getCity).returns.resolves.toEqualTypeOf<City>();
    expectTypeOf(api.deleteCity).returns.resolves.toEqualTypeOf<unknown>();
    // Calls are built, never sent: only their types matter here.
    const never = (_call: () => unknown) => {};
    // @ts-expect-error params are required
    never(() => api.getCity());
    // @ts-expect-error id is an integer
    never(() => api.getCity({ params: { id: '1' } }));
    // @ts-expect-error the body needs a name
    never(() => api.createCity({ body: {}, headers: { 'x-tenant': 't' } }));
    // @ts-expect-error the x-tenant header is required by the route
    never(() => api.createCity({ body: { name: 'x' } }));
    // @ts-expect-error getCity takes no body
    never(() => api.getCity({ params: { id: 1 }, body: { id: 1 } }));
    // @ts-expect-error the limit is a number
    never(() => api.listCities({ query: { limit: 'ten' } }));
    expect(typeof api.getCity).toBe('function');
  });

  it('reads the routes from a group factory, a group, a list of entries or a service', () => {
    type Names = 'listCities' | 'getCity' | 'createCity' | 'deleteCity';
    expectTypeOf<RoutesIn<CityRoutes>['name']>().toEqualTypeOf<Names>();
    expectTypeOf<RoutesIn<ReturnType<CityRoutes>>['name']>().toEqualTypeOf<Names>();
    expectTypeOf<RoutesIn<[ReturnType<CityRoutes>]>['name']>().toEqualTypeOf<Names>();
    expectTypeOf<Extract<RoutesIn<typeof service>['name'], Names>>().toEqualTypeOf<Names>();
    expect(service.routes.length).toBeGreaterThan(4);
  });

  it('offers only the routes it was given addresses for', () => {
    const only = client.routes({ getCity: 'GET /cities/:id' });
    expectTypeOf(only).toHaveProperty('getCity');
    expectTypeOf(only).not.toHaveProperty('createCity');
    expect(Object.keys(only)).toEqual(['getCity']);
  });

  it('rejects addresses of unknown routes or with parameters the route does not declare', () => {
    const never = (_call: () => unknown) => {};
    // @ts-expect-error no route is named getTown
    never(() => client.routes({ getTown: 'GET /towns/:id' }));
    // @ts-expect-error getCity's params have no cityId
    never(() => client.routes({ getCity: 'GET /cities/:cityId' }));
    // @ts-expect-error an address starts with a method
    never(() => client.routes({ getCity: '/cities/:id' }));
    expectTypeOf<PathParamNames<'/a/:id/b/:from-:to'>>().toEqualTypeOf<'id' | 'from' | 'to'>();
    expect(() => client.routes({ getCity: 'FETCH /cities/:id' as 'GET /x' })).toThrow(
      /must look like "GET \/path"/,
    );
  });

  it('fails a call that misses a path parameter', async () => {
    const loose = createClient({ name: 'cities', baseUrl: client.baseUrl });
    const plain = loose.get('/cities/1');
    expect(await plain).toEqual({ id: 1, name: 'Lyon' });
    await loose.close();
    const api = cities();
    await expect(api.getCity({ params: {} as { id: number } })).rejects.toThrow(
      'Missing path parameter "id"',
    );
  });
});

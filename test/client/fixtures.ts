import {
  type CoreConfig,
  createService,
  type DeepPartial,
  group,
  NotFoundError,
  route,
  ServiceError,
  Type,
  UpstreamError,
} from 'wharf';
import { type Clients, useClients } from 'wharf/client';

export const City = Type.Object({ id: Type.Integer(), name: Type.String() });

/** The routes of a cities service, built around a store, as services usually write them. */
export function cityRoutes(store: Map<number, { id: number; name: string }>) {
  return group({ prefix: '/cities', tags: ['cities'] }, [
    route({
      method: 'GET',
      url: '/',
      name: 'listCities',
      query: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }),
      response: Type.Array(City),
      handler: ({ query }) => [...store.values()].slice(0, query.limit ?? 100),
    }),
    route({
      method: 'GET',
      url: '/:id',
      name: 'getCity',
      params: Type.Object({ id: Type.Integer() }),
      response: City,
      handler: ({ params }) => {
        const city = store.get(params.id);
        if (!city) {
          throw new ServiceError({
            status: 404,
            code: 'CITY_NOT_FOUND',
            message: `No city ${params.id}`,
            error: { id: params.id },
          });
        }
        return city;
      },
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createCity',
      status: 201,
      body: Type.Object({ name: Type.String({ minLength: 1 }) }),
      headers: Type.Object({ 'x-tenant': Type.String() }),
      response: City,
      handler: ({ body }) => {
        const city = { id: store.size + 1, name: body.name };
        store.set(city.id, city);
        return city;
      },
    }),
    route({
      method: 'DELETE',
      url: '/:id',
      name: 'deleteCity',
      params: Type.Object({ id: Type.Integer() }),
      handler: ({ params }) => {
        store.delete(params.id);
      },
    }),
  ]);
}

export type CityRoutes = typeof cityRoutes;

export function citiesService(config: DeepPartial<CoreConfig> = {}) {
  const store = new Map([
    [1, { id: 1, name: 'Lyon' }],
    [2, { id: 2, name: 'Oslo' }],
  ]);
  return createService({
    name: 'cities',
    config: { log: { level: 'silent' }, ...config },
    routes: [cityRoutes(store)],
  });
}

/** A service that calls the cities service for every trip it answers. */
export function tripsService(clients: Clients, config: DeepPartial<CoreConfig> = {}) {
  const cities = clients.get<CityRoutes>('cities').routes({ getCity: 'GET /cities/:id' });
  const service = createService({
    name: 'trips',
    config: { log: { level: 'silent' }, ...config },
    routes: [
      route({
        method: 'GET',
        url: '/trips/:cityId',
        name: 'getTrip',
        params: Type.Object({ cityId: Type.Integer() }),
        response: Type.Object({ destination: Type.String() }),
        handler: async ({ params }) => {
          try {
            const city = await cities.getCity({ params: { id: params.cityId } });
            return { destination: city.name };
          } catch (err) {
            // An unknown city is this service's 404; any other upstream failure stays a 502.
            if (err instanceof UpstreamError && err.upstreamStatus === 404) {
              throw new NotFoundError(`No trips to city ${params.cityId}`);
            }
            throw err;
          }
        },
      }),
    ],
  });
  useClients(service, clients);
  return service;
}

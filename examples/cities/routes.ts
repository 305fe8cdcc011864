import { group, route } from 'wharf';
import type { MemoryStore } from '../shared/memory-store.js';
import { PageQuery, pageOf } from '../shared/paging.js';
import { CityLimitReachedError, CityNotFoundError } from './errors.js';
import { City, CityParams, NewCity } from './schemas.js';

/** The `/cities` routes, reading and writing the given store. */
export function cityRoutes(store: MemoryStore<City>) {
  return group({ prefix: '/cities', tags: ['cities'] }, [
    route({
      method: 'GET',
      url: '/',
      name: 'listCities',
      summary: 'List cities',
      description: 'One page of cities in id order; `limit` and `offset` select the page.',
      query: PageQuery,
      response: pageOf(City),
      handler: ({ query }) => store.list(query),
    }),
    route({
      method: 'GET',
      url: '/:id',
      name: 'getCity',
      summary: 'Get a city by id',
      description: 'Answers 404 with code CITY_NOT_FOUND when no city has this id.',
      params: CityParams,
      response: City,
      handler: ({ params }) => {
        const city = store.get(params.id);
        if (!city) throw new CityNotFoundError(params.id);
        return city;
      },
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createCity',
      summary: 'Create a city',
      description:
        'Stores the city in memory and answers 201 with it, id included. ' +
        'Answers 409 with code CITY_LIMIT_REACHED once the store is full.',
      status: 201,
      body: NewCity,
      response: City,
      handler: ({ body }) => {
        if (store.full) throw new CityLimitReachedError(store.maxSize);
        return store.add(body);
      },
    }),
  ]);
}

import { createService, type RouteEntry, type ServiceOptions } from 'wharf';
import { MemoryStore } from '../shared/memory-store.js';
import { SEED_CITIES } from './data.js';
import { cityRoutes } from './routes.js';
import type { City } from './schemas.js';

/** Port of the cities service in the example system. */
export const CITIES_PORT = 8081;
/** Most cities one instance keeps in memory. */
export const MAX_CITIES = 1000;

export interface CitiesServiceOptions
  extends Pick<ServiceOptions<readonly RouteEntry[]>, 'config' | 'logDestination' | 'tracing'> {
  /** Bound of the in-memory store, seed included. */
  maxCities?: number;
}

/** A fresh cities service with its own store, seeded with a handful of cities. */
export function createCitiesService(options: CitiesServiceOptions = {}) {
  const store = new MemoryStore<City>(SEED_CITIES, options.maxCities ?? MAX_CITIES);
  return createService({
    name: 'cities',
    version: '1.0.0',
    config: options.config,
    logDestination: options.logDestination,
    tracing: options.tracing,
    routes: [cityRoutes(store)],
  });
}

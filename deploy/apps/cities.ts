/**
 * The cities example as an entry module of `wharf start` (WHARF_ENTRY=deploy/apps/cities.ts),
 * for the container image: unlike examples/cities/main.ts it leaves the port to the
 * configuration, so every container listens on http.port (8080 unless PORT says otherwise).
 */
import { defineApp, loadConfig } from 'wharf';
import { createCitiesService } from '../../examples/cities/service.js';

export default async () =>
  defineApp({ service: createCitiesService({ config: await loadConfig() }) });

/**
 * The cities service on its own:
 *   node --conditions=source --import tsx examples/cities/main.ts
 * Listens on 8081 unless the configuration says otherwise (WHARF_HTTP_PORT, PORT, WHARF_CONFIG).
 */
import { loadConfig, runService } from 'wharf';
import { CITIES_PORT, createCitiesService } from './service.js';

await runService(async () =>
  createCitiesService({ config: await loadConfig({ defaults: { http: { port: CITIES_PORT } } }) }),
);

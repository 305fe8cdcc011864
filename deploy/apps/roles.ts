/**
 * The roles example as an entry module of `wharf start` (WHARF_ENTRY=deploy/apps/roles.ts),
 * for the container image: unlike examples/roles/main.ts it leaves the port to the
 * configuration, so every container listens on http.port (8080 unless PORT says otherwise).
 */
import { defineApp, loadConfig } from 'wharf';
import { createRolesService } from '../../examples/roles/service.js';

export default async () =>
  defineApp({ service: createRolesService({ config: await loadConfig() }) });

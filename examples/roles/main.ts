/**
 * The roles service on its own:
 *   node --conditions=source --import tsx examples/roles/main.ts
 * Listens on 8082 unless the configuration says otherwise (WHARF_HTTP_PORT, PORT, WHARF_CONFIG).
 */
import { loadConfig, runService } from 'wharf';
import { createRolesService, ROLES_PORT } from './service.js';

await runService(async () =>
  createRolesService({ config: await loadConfig({ defaults: { http: { port: ROLES_PORT } } }) }),
);

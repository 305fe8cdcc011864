/**
 * The users example as an entry module of `wharf start` (WHARF_ENTRY=deploy/apps/users.ts),
 * for the container image: unlike examples/users/main.ts it leaves the port to the
 * configuration, so every container listens on http.port (8080 unless PORT says otherwise).
 */
import { defineApp, loadConfig } from 'wharf';
import { createUsersService } from '../../examples/users/service.js';

export default async () =>
  defineApp({ service: createUsersService({ config: await loadConfig() }) });

/**
 * The users service on its own:
 *   node --conditions=source --import tsx examples/users/main.ts
 * Listens on 8083 unless the configuration says otherwise (WHARF_HTTP_PORT, PORT, WHARF_CONFIG).
 * Its database is PostgreSQL when DATABASE_URL (db.url) is set, else embedded PGlite: in
 * memory, or in WHARF_DB_DATA_DIR (db.dataDir) to keep the data. GET /users/:id calls the
 * cities and roles services at client.upstreams.cities.url and .roles.url
 * (WHARF_CLIENT_UPSTREAMS='{"cities":{"url":"http://…"},"roles":{"url":"http://…"}}'),
 * else at 127.0.0.1:8081 and :8082, where their own main.ts listens. Tokens are signed and
 * checked with JWT_SECRET (auth.jwt.secret); without it, a random one for development.
 */
import { loadConfig, runService } from 'wharf';
import { DEV_SECRET_WARNING, withDevJwtSecret } from './dev-secret.js';
import { createUsersService, USERS_PORT } from './service.js';

await runService(async () => {
  const auth = withDevJwtSecret(await loadConfig({ defaults: { http: { port: USERS_PORT } } }));
  const service = createUsersService({ config: auth.config });
  if (auth.generated) service.log.warn(DEV_SECRET_WARNING);
  return service;
});

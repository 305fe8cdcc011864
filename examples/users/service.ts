import { fileURLToPath } from 'node:url';
import { createService, type RouteEntry, type ServiceOptions } from 'wharf';
import { createDatabase, type Database, type DbLogger, migrate, useDatabase } from 'wharf/db';
import { userRoutes } from './routes.js';

/** Port of the users service in the example system. */
export const USERS_PORT = 8083;
/** The service's migrations, generated from ./model.ts by `wharf migrate generate`. */
export const USERS_MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface UsersServiceOptions
  extends Pick<ServiceOptions<readonly RouteEntry[]>, 'config' | 'logDestination'> {
  /**
   * The database to use; one is created from `config.db` when left out (PostgreSQL at
   * `db.url`, else embedded PGlite). Either way the service migrates it on start and
   * closes it on stop.
   */
  db?: Database;
}

/** A users service on its database: migrated before it serves, closed when it stops. */
export function createUsersService(options: UsersServiceOptions = {}) {
  // The database logs through the service's logger, which exists once the service does;
  // it logs only on failures, long after both are built.
  const logger: DbLogger = {
    debug: (obj, msg) => service.log.debug(obj, msg),
    info: (obj, msg) => service.log.info(obj, msg),
    warn: (obj, msg) => service.log.warn(obj, msg),
  };
  const db = options.db ?? createDatabase(options.config?.db, { logger });
  const service = createService({
    name: 'users',
    version: '1.0.0',
    config: options.config,
    logDestination: options.logDestination,
    routes: [userRoutes(db)],
  });
  useDatabase(service, db);
  service.onStart(async () => {
    await migrate(db, {
      dir: USERS_MIGRATIONS,
      onApplied: (m) => service.log.info({ migration: m.file }, 'migration applied'),
    });
  });
  return service;
}

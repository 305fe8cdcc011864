import { fileURLToPath } from 'node:url';
import { createService, defineApp } from 'wharf';
import { createDatabase, type Database, type DbLogger, migrate, useDatabase } from 'wharf/db';
import { createScheduler } from 'wharf/schedule';
import type { Config } from './config.js';
import { purgeNotes } from './queries.js';
import { noteRoutes } from './routes.js';

/** The migrations written by `npm run migrate:generate`. */
export const MIGRATIONS = fileURLToPath(new URL('../migrations/', import.meta.url));

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AppOptions {
  config: Config;
  /** The database; one is made from `config.db` unless given (tests pass their own). */
  db?: Database;
}

/**
 * The whole service: its HTTP API and its scheduled jobs. `wharf start` runs the roles
 * its flags name (`--api`, `--schedule`) from the same code.
 */
export function createApp({ config, db: given }: AppOptions) {
  // The database logs through the service's logger, which exists once the service does.
  const logger: DbLogger = {
    debug: (obj, msg) => service.log.debug(obj, msg),
    info: (obj, msg) => service.log.info(obj, msg),
    warn: (obj, msg) => service.log.warn(obj, msg),
  };
  const db = given ?? createDatabase(config.db, { logger });
  const service = createService({
    name: '{{name}}',
    version: '0.1.0',
    config,
    routes: [noteRoutes(db, config.pageSize)],
  });
  useDatabase(service, db);
  if (db.engine === 'pglite') {
    // Embedded PGlite (no DATABASE_URL) starts empty or from its data dir: bring it up to
    // date here. On PostgreSQL run `npm run migrate` before deploying instead.
    service.onStart(() => migrate(db, { dir: MIGRATIONS }).then(() => {}));
  }

  // With a database each tick runs once across all replicas started with --schedule.
  const scheduler = createScheduler({ logger: service.log, db });
  scheduler.schedule('purge-old-notes', '0 3 * * *', async () => {
    const purged = await purgeNotes(db, new Date(Date.now() - config.retentionDays * DAY_MS));
    service.log.info({ purged }, `purged ${purged} old notes`);
  });

  return defineApp({ service, scheduler });
}

import { fileURLToPath } from 'node:url';
import { createService, defineApp, type RouteEntry, type ServiceOptions } from 'wharf';
import { createDatabase, type Database, type DbLogger, migrate, useDatabase } from 'wharf/db';
import {
  createMessaging,
  type MemoryBrokerServer,
  type MessageContext,
  recordProcessed,
} from 'wharf/messaging';
import { createScheduler } from 'wharf/schedule';
import { USER_CREATED, USERS_EXCHANGE, UserCreated } from '../users/events.js';
import { countUser, writeSummary } from './queries.js';
import { statsRoutes } from './routes.js';

/** Port of the stats service in the example system. */
export const STATS_PORT = 8084;
export const STATS_MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));
/** The queue of users' events this service consumes. */
export const STATS_QUEUE = 'stats.users';
/** Every minute, on the minute. */
export const SUMMARY_CRON = '* * * * *';

export interface StatsAppOptions
  extends Pick<ServiceOptions<readonly RouteEntry[]>, 'config' | 'logDestination' | 'tracing'> {
  /** Its database; one is made from `config.db` when left out. Migrated on start. */
  db?: Database;
  /** The in-memory broker shared with the users service when no `messaging.amqpUrl` is set. */
  brokerServer?: MemoryBrokerServer;
  /** When the summary job runs; every minute unless given (tests take every second). */
  summaryCron?: string;
}

/**
 * The stats service: its consumer counts users per city from the users service's
 * `user.created` events (once each, deduplicated by message id in the same transaction),
 * its `users-summary` job writes those counts down every minute, and its API reads both.
 * `wharf start --api --consume --schedule` runs all three; each can run on its own.
 */
export function createStatsApp(options: StatsAppOptions = {}) {
  const logger: DbLogger = {
    debug: (obj, msg) => service.log.debug(obj, msg),
    info: (obj, msg) => service.log.info(obj, msg),
    warn: (obj, msg) => service.log.warn(obj, msg),
  };
  const db = options.db ?? createDatabase(options.config?.db, { logger });
  const service = createService({
    name: 'stats',
    version: '1.0.0',
    config: options.config,
    logDestination: options.logDestination,
    tracing: options.tracing,
    routes: [statsRoutes(db)],
  });
  useDatabase(service, db);
  service.onStart(() => migrate(db, { dir: STATS_MIGRATIONS }).then(() => undefined));

  const messaging = createMessaging(service.config.messaging, {
    name: 'stats',
    logger: service.log,
    db,
    relay: false,
    server: options.brokerServer,
    topology: {
      exchanges: [{ name: USERS_EXCHANGE, type: 'topic' }],
      queues: [
        { name: STATS_QUEUE, bindings: [{ exchange: USERS_EXCHANGE, routingKey: USER_CREATED }] },
      ],
    },
  });
  messaging.consume(
    STATS_QUEUE,
    (user, message: MessageContext) =>
      db.transaction(async (tx) => {
        if (!(await recordProcessed(tx, STATS_QUEUE, message.messageId))) return;
        await countUser(tx, user.city_id);
      }),
    { schema: UserCreated },
  );

  const scheduler = createScheduler({ logger: service.log, db });
  scheduler.schedule('users-summary', options.summaryCron ?? SUMMARY_CRON, async ({ tick }) => {
    const summary = await db.transaction((tx) => writeSummary(tx, tick));
    service.log.info(
      { type: 'summary', total_users: summary.total_users, cities: summary.cities },
      `users summary: ${summary.total_users} users in ${Object.keys(summary.cities).length} cities`,
    );
  });

  return defineApp({ service, scheduler, consumers: [messaging] });
}

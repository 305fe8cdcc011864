import { fileURLToPath } from 'node:url';
import { createService, type RouteEntry, type ServiceOptions } from 'wharf';
import { signToken } from 'wharf/auth';
import { type Clients, createClients, useClients } from 'wharf/client';
import { createDatabase, type Database, type DbLogger, migrate, useDatabase } from 'wharf/db';
import { createMessaging, type MemoryBrokerServer, useMessaging } from 'wharf/messaging';
import { authRoutes, type IssueToken } from './auth-routes.js';
import { type PublishUserCreated, USER_CREATED, USERS_EXCHANGE } from './events.js';
import { embedRelations } from './relations.js';
import { userRoutes } from './routes.js';

/** Port of the users service in the example system. */
export const USERS_PORT = 8083;
/**
 * Where the upstreams are when the configuration does not say (`client.upstreams.<name>.url`,
 * e.g. WHARF_CLIENT_UPSTREAMS='{"cities":{"url":"http://cities:8080"}}'): the ports of the
 * example system on this machine, so `examples/users/main.ts` works next to the others.
 */
export const DEFAULT_UPSTREAM_URLS: Readonly<Record<string, string>> = {
  cities: 'http://127.0.0.1:8081',
  roles: 'http://127.0.0.1:8082',
};
/** The service's migrations, generated from ./model.ts by `wharf migrate generate`. */
export const USERS_MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface UsersServiceOptions
  extends Pick<ServiceOptions<readonly RouteEntry[]>, 'config' | 'logDestination' | 'tracing'> {
  /**
   * The database to use; one is created from `config.db` when left out (PostgreSQL at
   * `db.url`, else embedded PGlite). Either way the service migrates it on start and
   * closes it on stop.
   */
  db?: Database;
  /**
   * The clients of the cities and roles services; made from `config.client` when left out
   * (tests pass `mockUpstreams().clients()`). Either way they are closed when the service stops.
   */
  clients?: Clients;
  /**
   * The in-memory broker to publish to when no `messaging.amqpUrl` is set: the one its
   * consumers (the stats service in `npm start`) read from. A fresh one when left out.
   */
  brokerServer?: MemoryBrokerServer;
}

/**
 * A users service on its database (migrated before it serves, closed when it stops),
 * calling the cities and roles services for the city and role of a user. It issues the
 * tokens of its write routes itself (POST /auth/login) and verifies them with the same
 * `auth.jwt` settings, so `auth.jwt.secret` must be set: the service does not start
 * without it (examples/start.ts and main.ts supply one for development).
 */
export function createUsersService(options: UsersServiceOptions = {}) {
  // The database logs through the service's logger, which exists once the service does;
  // it logs only on failures, long after both are built.
  const logger: DbLogger = {
    debug: (obj, msg) => service.log.debug(obj, msg),
    info: (obj, msg) => service.log.info(obj, msg),
    warn: (obj, msg) => service.log.warn(obj, msg),
  };
  const db = options.db ?? createDatabase(options.config?.db, { logger });
  const clients =
    options.clients ??
    createClients(options.config, { fallbackUrl: (name) => DEFAULT_UPSTREAM_URLS[name] ?? '' });
  const service = createService({
    name: 'users',
    version: '1.0.0',
    config: options.config,
    logDestination: options.logDestination,
    tracing: options.tracing,
    routes: [
      userRoutes(db, embedRelations(clients), (tx, event) => publishCreated(tx, event)),
      authRoutes(
        db,
        (claims, expiresIn) => issue(claims, expiresIn),
        (tx, event) => publishCreated(tx, event),
      ),
    ],
  });
  const issue: IssueToken = (claims, expiresIn) =>
    signToken(claims, { ...service.config.auth.jwt, expiresIn });
  // Events go through the database's outbox; its relay publishes them once committed.
  const messaging = createMessaging(service.config.messaging, {
    name: 'users',
    logger: service.log,
    db,
    server: options.brokerServer,
    topology: { exchanges: [{ name: USERS_EXCHANGE, type: 'topic' }] },
  });
  const publishCreated: PublishUserCreated = (tx, event) =>
    messaging.publish(USERS_EXCHANGE, USER_CREATED, event, { tx });
  useDatabase(service, db);
  useClients(service, clients);
  useMessaging(service, messaging);
  service.onStart(async () => {
    await migrate(db, {
      dir: USERS_MIGRATIONS,
      onApplied: (m) => service.log.info({ migration: m.file }, 'migration applied'),
    });
  });
  return service;
}

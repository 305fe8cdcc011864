import type { HealthCheck } from '../health/index.js';
import { observeDatabase } from '../metrics/db.js';
import { type MetricsSource, metricsOf } from '../metrics/service.js';
import type { Service } from '../service/index.js';
import type { Database } from './types.js';

/** A readiness check that passes while the database answers a round trip. */
export function databaseHealthCheck(db: Database): HealthCheck {
  return () => db.ping();
}

export interface UseDatabaseOptions {
  /** Name of the readiness check and the `db` label of its metrics; `db` unless given. */
  name?: string;
}

/**
 * Tie a database to a service's lifecycle: readiness reports whether it answers, and the
 * pool closes after the server stopped taking requests and in-flight ones finished.
 * Embedded PGlite is started before the service serves (its start takes seconds); a
 * PostgreSQL server is not waited for, so a service boots while its database is down and
 * readiness tells the load balancer. When the service collects metrics, the pool's state
 * and the statements' durations are among them (`db_pool_*`, `db_query_duration_seconds`).
 *
 * ```ts
 * const db = createDatabase(config.db, { logger: service.log });
 * useDatabase(service, db);
 * ```
 */
export function useDatabase<D extends Database>(
  service: Pick<Service, 'health' | 'onStart' | 'onStop'> & MetricsSource,
  db: D,
  options: UseDatabaseOptions = {},
): D {
  const name = options.name ?? 'db';
  service.health.register(name, databaseHealthCheck(db));
  const metrics = metricsOf(service);
  if (metrics) observeDatabase(metrics, db, name);
  if (db.engine === 'pglite') service.onStart(() => db.ping());
  service.onStop(() => db.close());
  return db;
}

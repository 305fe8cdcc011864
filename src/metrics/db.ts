import type { Database } from '../db/types.js';
import { histogram, type MetricsContext, sampledGauge } from './registry.js';

/**
 * The pool gauges (`db_pool_size`, `db_pool_idle`, `db_pool_waiting`, read at scrape
 * time) and `db_query_duration_seconds` of `db`, labelled `db` with `name`. Resolves to
 * the function that stops observing it. A database that exposes neither its pool nor
 * its queries (a wrapper) is left out.
 */
export function observeDatabase(ctx: MetricsContext, db: Database, name: string): () => void {
  const stops: (() => void)[] = [];
  const { pool } = db;
  if (pool !== undefined) {
    const labels = { db: name };
    const gauges = [
      ['db_pool_size', 'Connections the pool may hold.', 'size'],
      ['db_pool_idle', 'Connections of the pool not running a statement or scope.', 'idle'],
      ['db_pool_waiting', 'Callers waiting for a free connection.', 'waiting'],
    ] as const;
    for (const [metric, help, key] of gauges) {
      const gauge = sampledGauge(ctx, { name: metric, help, labelNames: ['db'] });
      stops.push(gauge.add(() => [[labels, db.pool?.[key] ?? 0]]));
    }
  }
  if (db.onQuery) {
    const duration = histogram(ctx, {
      name: 'db_query_duration_seconds',
      help: 'Time a statement ran, without the wait for a connection, by outcome (ok, error).',
      labelNames: ['db', 'outcome'],
    });
    const ok = duration.labels({ db: name, outcome: 'ok' });
    const failed = duration.labels({ db: name, outcome: 'error' });
    stops.push(db.onQuery((ms, succeeded) => (succeeded ? ok : failed).observe(ms / 1000)));
  }
  return () => {
    for (const stop of stops) stop();
  };
}

import { observeScheduler } from '../metrics/schedule.js';
import { type MetricsSource, metricsOf } from '../metrics/service.js';
import type { Service } from '../service/index.js';
import type { Scheduler } from './scheduler.js';

/**
 * Tie a scheduler to a service's lifecycle: its timers start with the service's start
 * hooks, and on shutdown it stops firing and waits for the runs in progress (bounded by
 * its `stopTimeoutMs`) after the server stopped taking requests. Call it after
 * `useDatabase`, so the database closes only once the runs using it are over. When the
 * service collects metrics, the runs are among them (`schedule_job_*`).
 *
 * With `wharf start`, give the scheduler to `defineApp` instead: it runs then only in the
 * processes started with `--schedule`.
 */
export function useScheduler<S extends Scheduler>(
  service: Pick<Service, 'onStart' | 'onStop'> & MetricsSource,
  scheduler: S,
): S {
  const metrics = metricsOf(service);
  if (metrics) observeScheduler(metrics, scheduler);
  service.onStart(() => scheduler.start());
  service.onStop(() => scheduler.stop());
  return scheduler;
}

import type { Scheduler } from '../schedule/scheduler.js';
import { counter, gauge, type MetricsContext } from './registry.js';

/**
 * `schedule_job_runs_total`, `schedule_job_failures_total` and
 * `schedule_job_last_success_timestamp_seconds` by `job_name` (not `job`, which
 * Prometheus gives every scraped series), for the runs of this process (a tick another
 * replica won is not counted here). Resolves to the function that stops observing.
 */
export function observeScheduler(
  ctx: MetricsContext,
  scheduler: Pick<Scheduler, 'onRun'>,
): () => void {
  const runs = counter(ctx, {
    name: 'schedule_job_runs_total',
    help: 'Runs of a scheduled job in this process that ended, failed ones included.',
    labelNames: ['job_name'],
  });
  const failures = counter(ctx, {
    name: 'schedule_job_failures_total',
    help: 'Runs of a scheduled job that threw, rejected or outlived their timeout.',
    labelNames: ['job_name'],
  });
  // What an alert on a job that stopped succeeding needs: counters say nothing while
  // nothing runs.
  const lastSuccess = gauge(ctx, {
    name: 'schedule_job_last_success_timestamp_seconds',
    help: 'Unix time at which the last successful run of a job in this process ended.',
    labelNames: ['job_name'],
  });
  return scheduler.onRun(({ job, ok }) => {
    runs.inc({ job_name: job });
    if (ok) lastSuccess.set({ job_name: job }, Date.now() / 1000);
    else failures.inc({ job_name: job });
  });
}

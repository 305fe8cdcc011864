import { ConfigError } from '../errors/index.js';
import {
  type RunningService,
  type RunOptions,
  runService,
  type Service,
} from '../service/index.js';
import type { App, AppSource } from './define.js';

/** What one process of an app does: serve HTTP, run the scheduled jobs, consume messages. */
export type AppRole = 'api' | 'schedule' | 'consume';

export const APP_ROLES: readonly AppRole[] = ['api', 'schedule', 'consume'];

export interface RunAppOptions extends Omit<RunOptions, 'listen'> {
  /** The roles of this process; `['api']` unless given. */
  roles?: readonly AppRole[];
}

/**
 * Run an app as the process in the given roles, through `runService`: `api` opens the
 * port; `schedule` starts the scheduler and `consume` the consumers with the service's
 * start hooks, and stops them with its stop hooks, after in-flight requests and before
 * the hooks registered earlier (a database closes after the jobs using it). Without `api`
 * the service starts without listening. Signals, the grace period and exit codes are
 * `runService`'s.
 */
export function runApp<S extends Service>(
  source: AppSource<S>,
  options: RunAppOptions = {},
): Promise<RunningService<S>> {
  const { roles = ['api'], ...runOptions } = options;
  return runService(
    async () => {
      const app = typeof source === 'function' ? await source() : source;
      attachRoles(app, roles);
      return app.service;
    },
    { ...runOptions, listen: roles.includes('api') },
  );
}

/** Hook the scheduler and consumers of `roles` into the service's lifecycle. */
export function attachRoles(app: App, roles: readonly AppRole[]): void {
  const { service } = app;
  if (roles.includes('schedule')) {
    const { scheduler } = app;
    if (!scheduler) {
      throw new ConfigError(
        `${service.name} has no scheduler for the schedule role: pass one to defineApp({ scheduler })`,
      );
    }
    service.onStart(() => scheduler.start() as Promise<void> | void);
    service.onStop(() => scheduler.stop() as Promise<void> | void);
  }
  if (roles.includes('consume')) {
    if (app.consumers.length === 0) {
      throw new ConfigError(
        `${service.name} has no consumers for the consume role: pass them to defineApp({ consumers })`,
      );
    }
    for (const consumer of app.consumers) {
      service.onStart(() => consumer.start() as Promise<void> | void);
      service.onStop(() => consumer.stop() as Promise<void> | void);
    }
  }
}

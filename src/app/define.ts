import type { Service } from '../service/index.js';

/**
 * Anything with a start and a stop: a message consumer, a scheduler, a poller. `stop()`
 * should let the work in progress finish (bounded) before it resolves.
 */
export interface Runnable {
  start(): unknown;
  stop(): unknown;
}

/** What `defineApp` takes. */
export interface AppDefinition<S extends Service = Service> {
  /** The HTTP service; its lifecycle carries every role. */
  service: S;
  /** Started in the processes that run the `schedule` role (`wharf start --schedule`). */
  scheduler?: Runnable;
  /** Started, in order, in the processes that run the `consume` role (`wharf start --consume`). */
  consumers?: Runnable | readonly Runnable[];
}

/** A service with its background roles: what a service's entry module exports. */
export interface App<S extends Service = Service> {
  readonly service: S;
  readonly scheduler: Runnable | undefined;
  readonly consumers: readonly Runnable[];
}

/** An app, or a function building one (so a `ConfigError` while building it is reported too). */
export type AppSource<S extends Service = Service> = App<S> | (() => App<S> | Promise<App<S>>);

/**
 * Describe what one service's code can run as: the HTTP API, its scheduled jobs and its
 * message consumers. The entry module (`src/main.ts` by default) exports it as its
 * default export (or as `app`), and `wharf start` runs the roles its flags name, so one
 * build deploys as API replicas, a scheduler and consumers.
 *
 * The module only builds things: nothing may listen, connect or start on import, since
 * `wharf routes` and `wharf openapi` import it too.
 *
 * ```ts
 * export default defineApp({ service, scheduler, consumers: [ordersConsumer] });
 * ```
 */
export function defineApp<S extends Service>(definition: AppDefinition<S>): App<S> {
  const { service, scheduler } = definition;
  if (!isService(service)) {
    throw new TypeError('defineApp() needs { service }: a service made by createService()');
  }
  const consumers =
    definition.consumers === undefined
      ? []
      : Array.isArray(definition.consumers)
        ? [...(definition.consumers as readonly Runnable[])]
        : [definition.consumers as Runnable];
  for (const [what, runnable] of [
    ...(scheduler === undefined ? [] : [['scheduler', scheduler] as const]),
    ...consumers.map((consumer, i) => [`consumers[${i}]`, consumer] as const),
  ]) {
    if (!isRunnable(runnable)) {
      throw new TypeError(`defineApp(): ${what} needs start() and stop() methods`);
    }
  }
  return { service, scheduler, consumers };
}

/** Whether `value` looks like what `defineApp` returns. */
export function isApp(value: unknown): value is App {
  if (typeof value !== 'object' || value === null) return false;
  const app = value as Partial<App>;
  return isService(app.service) && Array.isArray(app.consumers);
}

function isService(value: unknown): value is Service {
  const service = value as Partial<Service> | undefined;
  return (
    typeof service === 'object' &&
    service !== null &&
    typeof service.listen === 'function' &&
    typeof service.ready === 'function' &&
    Array.isArray(service.routes)
  );
}

function isRunnable(value: unknown): value is Runnable {
  const runnable = value as Partial<Runnable> | undefined;
  return (
    typeof runnable === 'object' &&
    runnable !== null &&
    typeof runnable.start === 'function' &&
    typeof runnable.stop === 'function'
  );
}

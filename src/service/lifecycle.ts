import type { FastifyInstance } from 'fastify';
import type { CoreConfig } from '../config/schema.js';
import type { Health } from '../health/index.js';
import type { Logger } from '../log/index.js';

const IDLE_SWEEP_MS = 50;

/** A start or stop hook; may be async. */
export type LifecycleHook = () => Promise<void> | void;

export interface LifecycleOptions {
  app: FastifyInstance;
  health: Health;
  log: Logger;
  config: Pick<CoreConfig, 'http' | 'shutdown'>;
  /** Registers plugins and routes; runs once, before the start hooks. */
  prepare: () => Promise<void>;
}

/**
 * The start/stop sequence of a service.
 *
 * Start: `prepare`, then the start hooks in registration order, then Fastify's `ready`;
 * `listen` opens the port only after all of that. Any start failure (a hook or plugin
 * throws, the port is taken) runs `stop()` before the error is rethrown, so every stop
 * hook runs — including those whose start hook never ran; write stop hooks that cope
 * with a resource that was never acquired.
 *
 * Stop: readiness turns false, the service keeps serving for `shutdown.delayMs` (skipped
 * after a failed start), then new requests are refused, in-flight requests finish, and
 * the stop hooks run in reverse registration order. A failing stop hook is logged and
 * does not keep the others from running; `stop()` then rejects with its error.
 */
export interface Lifecycle {
  onStart(hook: LifecycleHook): void;
  onStop(hook: LifecycleHook): void;
  /** Prepare and run the start hooks once; later calls share the first result. */
  ready(): Promise<void>;
  /** `ready()`, then listen on the configured host and port; resolves to the base URL. */
  listen(): Promise<string>;
  /** Shut down once; later calls share the first result. */
  stop(): Promise<void>;
  /** True once the server has begun closing: new requests are answered 503. */
  readonly closing: boolean;
}

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { app, health, log, config } = options;
  const startHooks: LifecycleHook[] = [];
  const stopHooks: LifecycleHook[] = [];
  let closing = false;
  let startFailed = false;
  // Settles (never rejects) when the start attempt is over, so stop() never closes
  // the app while plugins or start hooks are still running.
  let startSettled: Promise<unknown> = Promise.resolve();
  let readyPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  async function start(): Promise<void> {
    await options.prepare();
    for (const hook of startHooks) await hook();
    await app.ready();
  }

  async function failStart(error: unknown): Promise<never> {
    startFailed = true;
    // Release what the start hooks that did run acquired; stop() logs its own failures.
    await lifecycle.stop().catch(() => {});
    throw error;
  }

  async function shutdown(): Promise<void> {
    health.markStopping();
    await startSettled;
    if (!startFailed && config.shutdown.delayMs > 0) await sleep(config.shutdown.delayMs);
    closing = true;
    const errors: unknown[] = [];
    // A keep-alive socket busy with an in-flight request when close() began turns idle
    // only after its response, and would then wait out its keep-alive timeout; sweeping
    // idle sockets while closing costs nothing per request.
    const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
    try {
      await attempt(() => app.close(), 'closing the server failed', errors);
    } finally {
      clearInterval(sweep);
    }
    for (const hook of [...stopHooks].reverse()) {
      await attempt(hook, 'stop hook failed', errors);
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} stop steps failed`);
  }

  async function attempt(step: () => unknown, message: string, errors: unknown[]) {
    try {
      await step();
    } catch (err) {
      log.error({ err }, message);
      errors.push(err);
    }
  }

  const lifecycle: Lifecycle = {
    onStart(hook) {
      startHooks.push(hook);
    },
    onStop(hook) {
      stopHooks.push(hook);
    },
    ready() {
      if (!readyPromise) {
        const started = start();
        startSettled = started.catch(() => {});
        readyPromise = started.catch(failStart);
      }
      return readyPromise;
    },
    async listen() {
      await lifecycle.ready();
      try {
        return await app.listen({ host: config.http.host, port: config.http.port });
      } catch (err) {
        return failStart(err);
      }
    },
    stop() {
      stopPromise ??= shutdown();
      return stopPromise;
    },
    get closing() {
      return closing;
    },
  };
  return lifecycle;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

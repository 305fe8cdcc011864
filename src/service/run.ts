import { ErrorCode, messageOf } from '../errors/index.js';
import { drainLog } from '../log/index.js';
import type { Service } from './create.js';

/** The parts of `process` that `runService` uses; tests pass a stand-in. */
export interface RunProcess {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
  readonly stderr: { write(text: string): unknown };
}

export interface RunOptions {
  /** Signals that start a graceful shutdown. Default: SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** Ends the process. Default: `exit` of `options.process`, i.e. `process.exit`. */
  exit?: (code: number) => void;
  /** Where signals arrive and start failures are printed. Default: the global `process`. */
  process?: RunProcess;
  /**
   * False runs the service without opening its port: the start hooks run (a scheduler,
   * message consumers) and signals stop it as usual. Default: true.
   */
  listen?: boolean;
}

/** A service `runService` has started. */
export interface RunningService<S extends Service = Service> {
  readonly service: S;
  /** Base URL the service listens on, e.g. `http://127.0.0.1:8080`; empty with `listen: false`. */
  readonly url: string;
  /** Resolves with the exit code once shutdown is over and `exit` has been called. */
  readonly exited: Promise<number>;
  /** Start the graceful shutdown a signal starts; resolves with the exit code. */
  shutdown(): Promise<number>;
}

/** A service, or a function that builds one (so a `ConfigError` while building is reported too). */
export type ServiceSource<S extends Service> = S | (() => S | Promise<S>);

/** The longest a stopping process waits for its log lines to be written before it exits. */
const LOG_DRAIN_MS = 1_000;

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Run a service as the process: listen, log the URL, and shut down gracefully on
 * SIGTERM or SIGINT.
 *
 * On a signal the service stops (readiness false, in-flight requests finish, stop hooks
 * run) and the process exits 0, or 1 if a stop step failed. The grace period,
 * `shutdown.graceMs`, starts once `shutdown.delayMs` is over; a shutdown still running
 * after it is logged and the process exits 1. A second signal during shutdown exits 1 at
 * once. The signal listeners are removed before exiting.
 *
 * If the service cannot start (its factory or a start hook throws, the port is taken),
 * the stop hooks run, one line goes to stderr — for a `ConfigError` its message alone —
 * and the process exits 1; should `exit` return, the promise rejects with the error.
 *
 * ```ts
 * await runService(() => createService({ name: 'cities', config: await loadConfig(), routes }));
 * ```
 */
export async function runService<S extends Service>(
  source: ServiceSource<S>,
  options: RunOptions = {},
): Promise<RunningService<S>> {
  const proc = options.process ?? process;
  const exit = options.exit ?? ((code: number) => proc.exit(code));

  let service: S;
  try {
    service = typeof source === 'function' ? await source() : source;
  } catch (error) {
    proc.stderr.write(`${startFailureLine(error, undefined)}\n`);
    exit(1);
    throw error;
  }

  const shutdown = createShutdown(service, proc, exit, options.signals ?? DEFAULT_SIGNALS);
  const listening = options.listen ?? true;
  const start = listening ? service.listen() : service.ready().then(() => '');
  const started = start.then(
    (url) => ({ ok: true as const, url }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  // A signal during start waits for the start to settle, then stops the service.
  shutdown.install(started);
  const result = await started;
  if (!result.ok) {
    if (!isConfigError(result.error)) service.log.error({ err: result.error }, 'start failed');
    proc.stderr.write(`${startFailureLine(result.error, service.name)}\n`);
    await shutdown.finish(1);
    throw result.error;
  }
  if (listening)
    service.log.info({ url: result.url }, `${service.name} listening on ${result.url}`);
  else service.log.info(`${service.name} started without HTTP`);
  return { service, url: result.url, exited: shutdown.exited, shutdown: shutdown.begin };
}

/** The signal handling and exit path of one running service. */
function createShutdown(
  service: Service,
  proc: RunProcess,
  exit: (code: number) => void,
  signals: readonly NodeJS.Signals[],
) {
  const { log } = service;
  const { delayMs, graceMs } = service.config.shutdown;
  const listeners = signals.map((signal) => [signal, () => onSignal(signal)] as const);
  let resolveExited: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExited = resolve;
  });
  let started: Promise<{ ok: boolean }> = Promise.resolve({ ok: true });
  let stopping: Promise<number> | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let finished = false;

  function install(start: Promise<{ ok: boolean }>): void {
    started = start;
    for (const [signal, listener] of listeners) proc.on(signal, listener);
  }

  /** Exit with `code` once the log is written; resolves after `exit` has been called. */
  function finish(code: number): Promise<unknown> {
    if (finished) return exited;
    finished = true;
    clearTimeout(graceTimer);
    for (const [signal, listener] of listeners) proc.off(signal, listener);
    // Exiting while an asynchronous log write is in flight lets the lines written
    // synchronously at exit overtake it: the last lines of a shutdown came out of order.
    return drainLog(log, LOG_DRAIN_MS).then(() => {
      resolveExited(code);
      exit(code);
    });
  }

  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      log.error({ signal }, `${signal} received again during shutdown; exiting now`);
      finish(1);
      return;
    }
    log.info({ signal }, `${signal} received; shutting down`);
    void begin();
  }

  function begin(): Promise<number> {
    stopping ??= run();
    return stopping;
  }

  async function run(): Promise<number> {
    // Deliberately not unref'd: a stop hook awaiting a promise that never settles holds
    // no handle, and the process would otherwise end with code 0 as if all went well.
    graceTimer = setTimeout(() => {
      log.error(
        { graceMs },
        `shutdown did not finish within the grace period of ${graceMs} ms; forcing exit`,
      );
      finish(1);
    }, delayMs + graceMs);
    // After a failed start the start path reports and exits; just wait for it.
    if (!(await started).ok) return exited;
    try {
      await service.stop();
      log.info('stopped');
      finish(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      finish(1);
    }
    return exited;
  }

  return { install, finish, begin, exited };
}

function startFailureLine(error: unknown, name: string | undefined): string {
  const message = messageOf(error);
  if (isConfigError(error)) return message;
  return `${name ?? 'Service'} failed to start: ${message}`;
}

/** By code rather than class, so a ConfigError from another copy of Wharf counts too. */
function isConfigError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === ErrorCode.config
  );
}

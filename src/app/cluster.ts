import cluster, { type Worker } from 'node:cluster';
import type { BaseLogger } from 'pino';

/** The message a worker sends its primary once its service has started. */
export interface WorkerReady {
  readonly wharf: 'ready';
  /** How long its shutdown may take: `shutdown.delayMs` + `shutdown.graceMs`. */
  readonly stopMs: number;
}

export interface WorkersOptions {
  /** How many worker processes to keep running. */
  count: number;
  log: Pick<BaseLogger, 'info' | 'warn' | 'error'>;
  /**
   * Unexpected exits tolerated within `restartWindowMs`; one more and the primary stops
   * the others and exits 1 rather than keep restarting a worker that cannot live.
   * Default 5.
   */
  maxRestarts?: number;
  /** Default 60 000 ms. */
  restartWindowMs?: number;
  /** How long to wait for workers to drain before no worker reported its own. Default 10 000 ms. */
  stopMs?: number;
  /** Where signals arrive; the global `process` unless given. */
  process?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** First restart delay; it doubles with each recent crash, up to `MAX_BACKOFF_MS`. */
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;
/** Time for a worker to exit once its shutdown is over. */
const EXIT_MARGIN_MS = 2_000;

/**
 * Run `count` workers with `node:cluster` (each re-runs this process's command line, and
 * knows itself a worker by `cluster.isWorker`), sharing the listening port. Resolves with
 * the exit code once all have stopped.
 *
 * - A worker that exits unexpectedly is replaced after a backoff (100 ms, doubling per
 *   recent exit, at most 10 s). More than `maxRestarts` exits within `restartWindowMs`, or
 *   a worker failing before any worker ever started, ends the primary with code 1.
 * - SIGTERM or SIGINT to the primary sends SIGTERM to every worker, which shut down
 *   gracefully; the primary resolves 0 once all exited with 0, or 1 if one did not, or
 *   did not exit within its reported shutdown time (then it is killed). A second signal
 *   kills the workers at once (code 1).
 */
export function runWorkers(options: WorkersOptions): Promise<number> {
  const { count, log } = options;
  const proc = options.process ?? process;
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.restartWindowMs ?? 60_000;
  let stopMs = options.stopMs ?? 10_000;
  const restartTimers = new Set<NodeJS.Timeout>();
  let recentExits: number[] = [];
  let anyReady = false;
  let draining = false;
  let failed = false;
  let drainTimer: NodeJS.Timeout | undefined;
  let finished = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  // A worker that exited can stay in cluster.workers until its IPC channel closes.
  const live = () =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());

  function fork(): void {
    const worker = cluster.fork();
    const pid = worker.process.pid;
    log.info({ worker: worker.id, pid }, `worker ${pid} started`);
  }

  function onMessage(worker: Worker, message: unknown): void {
    if (!isReady(message)) return;
    anyReady = true;
    stopMs = Math.max(stopMs, message.stopMs);
    log.info({ worker: worker.id, pid: worker.process.pid }, `worker ${worker.process.pid} ready`);
  }

  function onExit(worker: Worker, code: number | null, signal: string | null): void {
    const pid = worker.process.pid;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (draining) {
      if (code !== 0) failed = true;
      log.info({ worker: worker.id, pid, code, signal }, `worker ${pid} stopped (${how})`);
      if (live().length === 0) finish(failed ? 1 : 0);
      return;
    }
    log.warn({ worker: worker.id, pid, code, signal }, `worker ${pid} exited (${how})`);
    if (!anyReady) {
      log.error('a worker failed before any worker started; not restarting');
      failed = true;
      drain();
      return;
    }
    const now = Date.now();
    recentExits = [...recentExits.filter((at) => now - at < windowMs), now];
    if (recentExits.length > maxRestarts) {
      log.error(
        { exits: recentExits.length, window_ms: windowMs },
        `workers exited ${recentExits.length} times within ${windowMs} ms; giving up`,
      );
      failed = true;
      drain();
      return;
    }
    const delay = Math.min(BASE_BACKOFF_MS * 2 ** (recentExits.length - 1), MAX_BACKOFF_MS);
    log.info({ delay_ms: delay }, `replacing worker ${pid} in ${delay} ms`);
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!draining) fork();
    }, delay);
    restartTimers.add(timer);
  }

  function drain(): void {
    if (draining) return;
    draining = true;
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    const workers = live();
    if (workers.length === 0) {
      finish(failed ? 1 : 0);
      return;
    }
    log.info({ workers: workers.length }, `stopping ${workers.length} workers`);
    for (const worker of workers) worker.process.kill('SIGTERM');
    drainTimer = setTimeout(() => {
      log.error({ stop_ms: stopMs }, `workers still running after ${stopMs} ms; killing them`);
      kill();
    }, stopMs + EXIT_MARGIN_MS);
  }

  function kill(): void {
    failed = true;
    for (const worker of live()) worker.process.kill('SIGKILL');
    if (live().length === 0) finish(1);
  }

  function onSignal(signal: NodeJS.Signals): void {
    if (draining) {
      log.error({ signal }, `${signal} received again; killing the workers`);
      kill();
      return;
    }
    log.info({ signal }, `${signal} received; draining the workers`);
    drain();
  }
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');

  function finish(code: number): void {
    if (finished) return;
    finished = true;
    clearTimeout(drainTimer);
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    proc.off('SIGTERM', onTerm);
    proc.off('SIGINT', onInt);
    log.info({ code }, `all workers stopped; exiting with ${code}`);
    resolveDone(code);
  }

  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  proc.on('SIGTERM', onTerm);
  proc.on('SIGINT', onInt);
  for (let i = 0; i < count; i += 1) fork();
  return done;
}

/** In a worker: tell the primary the service has started and how long it may take to stop. */
export function reportWorkerReady(stopMs: number): void {
  if (!cluster.isWorker || !process.send) return;
  const message: WorkerReady = { wharf: 'ready', stopMs };
  process.send(message);
}

function isReady(message: unknown): message is WorkerReady {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as Partial<WorkerReady>).wharf === 'ready' &&
    typeof (message as Partial<WorkerReady>).stopMs === 'number'
  );
}

import type { TracerProvider } from '@opentelemetry/api';
import type { Database } from '../db/index.js';
import { ScheduleDefinitionError } from '../errors/index.js';
import { parseCron } from './cron.js';
import { databaseLease, type RunLease } from './lease.js';
import { type Job, type JobEntry, type RunListener, runTick, type ScheduleLogger } from './run.js';

export interface SchedulerOptions {
  /** Where runs are logged: a service's `log` fits. */
  logger: ScheduleLogger;
  /**
   * The database whose `schedule_runs` table shares the ticks between the processes of
   * the service, so each tick runs once however many replicas run the scheduler. Without
   * one, every process runs every tick. On PostgreSQL a running job holds one connection
   * of its pool (for its lock), so the pool needs more than one for jobs that query it.
   */
  db?: Database;
  /** Spans go here instead of the globally registered provider. */
  tracerProvider?: TracerProvider;
  /** Longest time `stop()` waits for runs in progress. Default 5 000 ms. */
  stopTimeoutMs?: number;
  /** How long the `schedule_runs` rows of past ticks are kept. Default 7 days. */
  retentionMs?: number;
  /** Recorded as `owner` of the ticks this process claims; `pid@host` unless given. */
  owner?: string;
}

export interface ScheduleOptions {
  /** The database sharing this job's ticks, instead of the scheduler's. */
  db?: Database;
  /** IANA timezone the cron expression is read in (`Europe/Paris`); the process's own unless given. */
  timezone?: string;
  /** After this long a run's `signal` is aborted and the run counts as failed. No limit unless given. */
  timeoutMs?: number;
}

/** A scheduled job as `Scheduler.jobs` lists it. */
export interface ScheduledJob {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string | undefined;
  /** Whether a run is in progress in this process. */
  readonly running: boolean;
}

/** Cron jobs of one process; see `createScheduler`. */
export interface Scheduler {
  /**
   * Run `job` on each tick of `cron`: 5 fields from minutes (`0 3 * * *`), 6 from
   * seconds (`*\/10 * * * * *`) or a nickname (`@hourly`).
   *
   * @throws ScheduleDefinitionError for an invalid expression or timezone, a name used
   * twice, or a bad timeout.
   */
  schedule(name: string, cron: string, job: Job, options?: ScheduleOptions): this;
  /** Arm the timers; jobs scheduled later start at once. */
  start(): void;
  /**
   * Stop firing and wait for the runs in progress, at most `stopTimeoutMs`; then abort
   * their signals and reject naming them. Later calls share the first result.
   */
  stop(): Promise<void>;
  readonly jobs: readonly ScheduledJob[];
  /**
   * Tell `listener` about each run of this process once it ended (metrics); resolves to
   * the function that removes it.
   */
  onRun(listener: RunListener): () => void;
}

const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** setTimeout's longest delay; longer waits are taken in several steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Slot extends JobEntry {
  timer: NodeJS.Timeout | undefined;
}

/**
 * A scheduler for cron jobs, given its dependencies explicitly.
 *
 * - A job never overlaps itself: a tick that comes while the previous run is still going
 *   is skipped with a warning.
 * - With a database (`db`, or a job's own), each tick is claimed in its `schedule_runs`
 *   table first (see `RunLease`), so across replicas each tick runs once — at most once
 *   if the process running it dies — and, on PostgreSQL, no replica starts a tick while
 *   another still runs an earlier one. Embedded PGlite serves one process, which is then
 *   the only runner, and the table is its run history.
 * - Each run is logged (start, end with `duration_ms`, or error) with the job and its tick,
 *   and traced as a root span `schedule <name>` through `@opentelemetry/api`.
 * - A failing job is logged, and the next tick runs as usual.
 *
 * ```ts
 * const scheduler = createScheduler({ logger: service.log, db });
 * scheduler.schedule('purge-sessions', '0 3 * * *', () => purgeSessions(db));
 * useScheduler(service, scheduler);
 * ```
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const log = options.logger;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const slots: Slot[] = [];
  const leases = new Map<Database, RunLease>();
  const tables = new Map<RunLease, Promise<void>>();
  let started = false;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  const listeners = new Set<RunListener>();
  const observe: RunListener = (run) => {
    for (const listener of listeners) listener(run);
  };

  const deps = {
    log,
    observe,
    tracerProvider: options.tracerProvider,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    ensureTable(lease: RunLease): Promise<void> {
      let ready = tables.get(lease);
      if (!ready) {
        ready = lease.ensureTable();
        tables.set(lease, ready);
        ready.catch(() => tables.delete(lease));
      }
      return ready;
    },
  };

  function leaseOf(db: Database | undefined): RunLease | undefined {
    if (!db) return undefined;
    let lease = leases.get(db);
    if (!lease) {
      lease = databaseLease(db, options.owner);
      leases.set(db, lease);
    }
    return lease;
  }

  /** Wait for the first tick after the last one (or now), then fire it and wait again. */
  function arm(slot: Slot, after: Date): void {
    const tick = slot.cron.next(after);
    if (tick === null) {
      log.info({ type: 'schedule', job: slot.name }, `${slot.name} has no further ticks`);
      return;
    }
    wait(slot, tick);
  }

  function wait(slot: Slot, tick: Date): void {
    const delay = Math.min(Math.max(tick.getTime() - Date.now(), 0), MAX_DELAY_MS);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (stopped) return;
      // Timers may wake a little early, and long waits come in steps.
      if (Date.now() < tick.getTime()) return wait(slot, tick);
      // Ticks missed while the process was stalled are skipped, not run in a burst.
      arm(slot, new Date(Math.max(Date.now(), tick.getTime())));
      fire(slot, tick);
    }, delay);
  }

  function fire(slot: Slot, tick: Date): void {
    if (slot.running) {
      log.warn(
        { type: 'schedule', job: slot.name, tick: tick.toISOString(), phase: 'skipped' },
        `${slot.name} tick skipped: the previous run is still running`,
      );
      return;
    }
    slot.running = runTick(slot, tick, deps).finally(() => {
      slot.running = undefined;
    });
  }

  async function shutdown(): Promise<void> {
    stopped = true;
    for (const slot of slots) clearTimeout(slot.timer);
    const busy = slots.filter((slot) => slot.running);
    if (busy.length === 0) return;
    const names = busy.map((slot) => slot.name);
    log.info({ type: 'schedule', jobs: names }, `waiting for ${names.join(', ')} to finish`);
    const done = Promise.all(busy.map((slot) => slot.running)).then(() => true);
    if (await settlesWithin(done, stopTimeoutMs)) return;
    const still = busy.filter((slot) => slot.running);
    for (const slot of still) {
      slot.controller?.abort(new DOMException('The scheduler is stopping', 'AbortError'));
    }
    const list = still.map((slot) => slot.name).join(', ');
    throw new Error(`Scheduled jobs still running after ${stopTimeoutMs} ms: ${list}`);
  }

  const scheduler: Scheduler = {
    schedule(name, cron, job, jobOptions = {}) {
      if (!name) throw new ScheduleDefinitionError('A scheduled job needs a name');
      if (slots.some((slot) => slot.name === name)) {
        throw new ScheduleDefinitionError(`Schedule "${name}" is defined twice`);
      }
      const { timeoutMs } = jobOptions;
      if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
        throw new ScheduleDefinitionError(
          `Schedule "${name}": timeoutMs must be a positive integer, got ${timeoutMs}`,
        );
      }
      const slot: Slot = {
        name,
        cron: parseCron(name, cron, jobOptions.timezone),
        timezone: jobOptions.timezone,
        job,
        timeoutMs,
        lease: leaseOf(jobOptions.db ?? options.db),
        running: undefined,
        controller: undefined,
        lastPrune: 0,
        timer: undefined,
      };
      slots.push(slot);
      if (started && !stopped) arm(slot, new Date());
      return this;
    },
    start() {
      if (stopped) throw new Error('This scheduler has been stopped; create a new one');
      if (started) return;
      started = true;
      const now = new Date();
      for (const slot of slots) arm(slot, now);
      log.info(
        { type: 'schedule', jobs: slots.map((slot) => slot.name) },
        `scheduler started with ${slots.length} job${slots.length === 1 ? '' : 's'}`,
      );
    },
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
    onRun(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get jobs() {
      return slots.map((slot) => ({
        name: slot.name,
        cron: slot.cron.expression,
        timezone: slot.timezone,
        running: slot.running !== undefined,
      }));
    },
  };
  return scheduler;
}

async function settlesWithin(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

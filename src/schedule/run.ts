import { type Span, SpanKind, type TracerProvider, trace } from '@opentelemetry/api';
import type { BaseLogger } from 'pino';
import { messageOf } from '../errors/index.js';
import { roundMs } from '../log/duration.js';
import { recordError } from '../tracing/span.js';
import type { CronSchedule } from './cron.js';
import type { LeaseOutcome, RunLease } from './lease.js';

/** The instrumentation scope of the spans of scheduled runs. */
export const TRACER_NAME = 'wharf/schedule';

/** Where the scheduler writes its lines: a service's `log` fits. */
export type ScheduleLogger = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** What a job receives on each run. */
export interface JobContext {
  /** The job's name, as scheduled. */
  readonly name: string;
  /** The tick this run belongs to: the time the cron expression named, not when it woke up. */
  readonly tick: Date;
  /**
   * Aborted when the run outlives its `timeoutMs`, or the scheduler stops and the run has
   * not finished within its stop timeout. A job cannot be cut short from outside: one
   * doing long work checks it (or hands it to `fetch`, timers …) to end early.
   */
  readonly signal: AbortSignal;
}

/** A scheduled job; a rejection is logged and recorded, and the schedule carries on. */
export type Job = (context: JobContext) => Promise<void> | void;

/** One scheduled job as the scheduler keeps it. */
export interface JobEntry {
  readonly name: string;
  readonly cron: CronSchedule;
  readonly timezone: string | undefined;
  readonly job: Job;
  readonly timeoutMs: number | undefined;
  /** Shares the ticks with other processes; none runs every tick here. */
  readonly lease: RunLease | undefined;
  /** The run in progress; it never rejects. */
  running: Promise<void> | undefined;
  /** Aborts the run in progress. */
  controller: AbortController | undefined;
  /** When this process last deleted old `schedule_runs` rows of the job. */
  lastPrune: number;
}

/** One finished run of a job in this process, as `onRun` listeners see it (metrics). */
export interface RunRecord {
  readonly job: string;
  readonly ok: boolean;
  readonly durationMs: number;
}

export type RunListener = (run: RunRecord) => void;

export interface RunDependencies {
  readonly log: ScheduleLogger;
  /** Told about each run this process made, once it ended. */
  readonly observe?: RunListener;
  readonly tracerProvider: TracerProvider | undefined;
  /** Resolves once the lease's table exists; retried on the next tick after a failure. */
  ensureTable(lease: RunLease): Promise<void>;
  /** How long `schedule_runs` rows are kept. */
  readonly retentionMs: number;
}

/** Deleting old rows on every run of a per-second job would double its writes. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Run `tick` of `entry` if this process wins it: in a span, with a start line and an end
 * or error line. Never rejects: a failing job must not stop its schedule.
 */
export function runTick(entry: JobEntry, tick: Date, deps: RunDependencies): Promise<void> {
  const tracer = (deps.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  const attributes = {
    'wharf.schedule.job': entry.name,
    'wharf.schedule.cron': entry.cron.expression,
    'wharf.schedule.tick': tick.toISOString(),
  };
  // A root span: a tick belongs to no request, even when it fires while one is active.
  return tracer.startActiveSpan(
    `schedule ${entry.name}`,
    { root: true, kind: SpanKind.INTERNAL, attributes },
    async (span) => {
      try {
        if (entry.lease) await leased(entry, entry.lease, tick, span, deps);
        else await execute(entry, tick, span, deps);
      } finally {
        span.end();
      }
    },
  );
}

/** Run the tick through the lease: only if this process wins it, then record how it went. */
async function leased(
  entry: JobEntry,
  lease: RunLease,
  tick: Date,
  span: Span,
  deps: RunDependencies,
): Promise<void> {
  const fields = { type: 'schedule', job: entry.name, tick: tick.toISOString(), phase: 'skipped' };
  let outcome: LeaseOutcome;
  let ran = false;
  try {
    await deps.ensureTable(lease);
    outcome = await lease.run(entry.name, tick, async () => {
      ran = true;
      const failure = await execute(entry, tick, span, deps);
      await record(entry, lease, tick, failure, deps);
    });
  } catch (err) {
    if (ran) {
      // The run is over and logged; only giving its connection back failed.
      deps.log.warn({ ...fields, phase: 'end', err }, `${entry.name} lease could not be released`);
      return;
    }
    // Whether another process ran the tick is unknown; running it too could run it twice.
    span.setAttribute('wharf.schedule.outcome', 'unclaimed');
    recordError(span, err);
    deps.log.error(
      { ...fields, err },
      `${entry.name} tick skipped: it could not be claimed in the database`,
    );
    return;
  }
  if (outcome === 'claimed') {
    span.setAttribute('wharf.schedule.outcome', 'elsewhere');
    deps.log.debug(fields, `${entry.name} tick ran in another process`);
  } else if (outcome === 'running') {
    span.setAttribute('wharf.schedule.outcome', 'busy-elsewhere');
    deps.log.warn(
      { ...fields, reason: 'running' },
      `${entry.name} tick skipped: an earlier run is still running in another process`,
    );
  }
}

/** How a run failed; undefined for a success (a job may throw anything, even undefined). */
type Failure = { error: unknown } | undefined;

/** Run the job, log it and mark the span; resolves to how it failed, if it did. */
async function execute(
  entry: JobEntry,
  tick: Date,
  span: Span,
  deps: RunDependencies,
): Promise<Failure> {
  const { log } = deps;
  const fields = { type: 'schedule', job: entry.name, tick: tick.toISOString() };
  const controller = new AbortController();
  entry.controller = controller;
  let timedOut = false;
  const timer =
    entry.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          const message = `${entry.name} exceeded its timeout of ${entry.timeoutMs} ms`;
          controller.abort(new DOMException(message, 'TimeoutError'));
          log.warn({ ...fields, timeout_ms: entry.timeoutMs }, `${message}; its signal is aborted`);
        }, entry.timeoutMs);

  log.info({ ...fields, phase: 'start' }, `${entry.name} started`);
  const started = performance.now();
  let failure: Failure;
  try {
    await entry.job({ name: entry.name, tick, signal: controller.signal });
    if (timedOut) failure = { error: controller.signal.reason };
  } catch (error) {
    failure = { error };
  } finally {
    clearTimeout(timer);
    entry.controller = undefined;
  }
  const elapsed = performance.now() - started;
  deps.observe?.({ job: entry.name, ok: failure === undefined, durationMs: elapsed });
  const duration_ms = roundMs(elapsed);
  if (failure === undefined) {
    span.setAttribute('wharf.schedule.outcome', 'ran');
    log.info({ ...fields, phase: 'end', duration_ms }, `${entry.name} finished`);
  } else {
    span.setAttribute('wharf.schedule.outcome', 'failed');
    recordError(span, failure.error);
    log.error(
      { ...fields, phase: 'error', duration_ms, err: failure.error },
      `${entry.name} failed`,
    );
  }
  return failure;
}

/** Bookkeeping after the run; its failures are worth a warning, not a failed run. */
async function record(
  entry: JobEntry,
  lease: RunLease,
  tick: Date,
  failure: Failure,
  deps: RunDependencies,
): Promise<void> {
  try {
    await lease.finish(entry.name, tick, failure === undefined ? null : messageOf(failure.error));
    const now = Date.now();
    if (now - entry.lastPrune >= PRUNE_EVERY_MS) {
      entry.lastPrune = now;
      await lease.prune(entry.name, new Date(now - deps.retentionMs));
    }
  } catch (err) {
    deps.log.warn(
      { type: 'schedule', job: entry.name, tick: tick.toISOString(), err },
      `${entry.name} run could not be recorded in schedule_runs`,
    );
  }
}

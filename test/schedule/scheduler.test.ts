import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createService, ErrorCode, ScheduleDefinitionError } from 'wharf';
import { createScheduler, type Scheduler, TRACER_NAME, useScheduler } from 'wharf/schedule';
import { captureLogger } from './helpers.js';

// Half a second past a whole second: the next per-second tick is 500 ms away.
const START = new Date('2030-01-01T00:00:00.500Z');
const tickAt = (seconds: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, seconds)).toISOString();

/** A promise and the function that settles it. */
function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

let scheduler: Scheduler | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});

afterEach(async () => {
  // Stop with the fake clock still in charge, then hand the real timers back.
  const stopping = scheduler?.stop().catch(() => {});
  await vi.runOnlyPendingTimersAsync();
  await stopping;
  scheduler = undefined;
  vi.useRealTimers();
});

describe('schedule() definitions', () => {
  const noop = () => {};

  it.each([
    [
      '61 * * * *',
      'Schedule "purge": invalid cron expression "61 * * * *": invalid value for minute: 61',
    ],
    [
      'every day',
      `Schedule "purge": invalid cron expression "every day": invalid configuration format ('every day'), exactly five, six, or seven space separated parts are required.`,
    ],
    [
      '0 0 30 2 *',
      'Schedule "purge": cron expression "0 0 30 2 *" never fires (no such date ahead)',
    ],
  ])('refuses %j with a message naming the job and the expression', (cron, message) => {
    const { logger } = captureLogger();
    scheduler = createScheduler({ logger });
    const attempt = () => scheduler?.schedule('purge', cron, noop);
    expect(attempt).toThrow(ScheduleDefinitionError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as ScheduleDefinitionError).code).toBe(ErrorCode.scheduleInvalid);
    }
  });

  it('refuses an unknown timezone, a name used twice and a timeout that is no positive integer', () => {
    const { logger } = captureLogger();
    scheduler = createScheduler({ logger });
    expect(() => scheduler?.schedule('a', '* * * * *', noop, { timezone: 'Mars/Olympus' })).toThrow(
      'Schedule "a": unknown timezone "Mars/Olympus"; use an IANA name such as "Europe/Paris" or "UTC"',
    );
    scheduler.schedule('b', '* * * * *', noop);
    expect(() => scheduler?.schedule('b', '@hourly', noop)).toThrow(
      'Schedule "b" is defined twice',
    );
    expect(() => scheduler?.schedule('c', '* * * * *', noop, { timeoutMs: 0 })).toThrow(
      'Schedule "c": timeoutMs must be a positive integer, got 0',
    );
    expect(scheduler.jobs.map((job) => job.name)).toEqual(['b']);
  });

  it('reads the expression in the given timezone', async () => {
    const { logger } = captureLogger();
    const ticks: string[] = [];
    scheduler = createScheduler({ logger });
    // 01:00 in Paris (UTC+1 in January) is 00:00 UTC; START is half a second past it.
    scheduler.schedule('paris', '1 0 1 * * *', ({ tick }) => void ticks.push(tick.toISOString()), {
      timezone: 'Europe/Paris',
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ticks).toEqual([tickAt(1)]);
  });
});

describe('scheduled runs', () => {
  it('runs each tick with its scheduled time, and logs start and end with the duration', async () => {
    const { logger, lines } = captureLogger();
    const ticks: string[] = [];
    scheduler = createScheduler({ logger });
    scheduler.schedule('heartbeat', '* * * * * *', ({ name, tick }) => {
      ticks.push(`${name} ${tick.toISOString()}`);
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2_600);
    expect(ticks).toEqual([
      `heartbeat ${tickAt(1)}`,
      `heartbeat ${tickAt(2)}`,
      `heartbeat ${tickAt(3)}`,
    ]);

    const runLines = lines.filter((line) => line.job === 'heartbeat' && line.tick === tickAt(1));
    expect(runLines).toEqual([
      expect.objectContaining({ level: 'info', phase: 'start', msg: 'heartbeat started' }),
      expect.objectContaining({
        level: 'info',
        phase: 'end',
        msg: 'heartbeat finished',
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  it('never overlaps a run with the previous one of the same job: the tick is skipped', async () => {
    const { logger, lines } = captureLogger();
    const ticks: string[] = [];
    const release = deferred();
    let active = 0;
    let most = 0;
    scheduler = createScheduler({ logger });
    scheduler.schedule('slow', '* * * * * *', async ({ tick }) => {
      ticks.push(tick.toISOString());
      active += 1;
      most = Math.max(most, active);
      if (ticks.length === 1) await release.promise;
      active -= 1;
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2_600); // ticks 1, 2, 3: the first run holds on
    expect(ticks).toEqual([tickAt(1)]);
    expect(scheduler.jobs[0]?.running).toBe(true);
    release.resolve();
    await vi.advanceTimersByTimeAsync(1_000); // tick 4 runs again
    expect(ticks).toEqual([tickAt(1), tickAt(4)]);
    expect(most).toBe(1);
    const skipped = lines.filter((line) => line.phase === 'skipped');
    expect(skipped).toEqual([
      expect.objectContaining({
        level: 'warn',
        job: 'slow',
        tick: tickAt(2),
        msg: 'slow tick skipped: the previous run is still running',
      }),
      expect.objectContaining({ tick: tickAt(3) }),
    ]);
  });

  it('logs a failing run with its error and keeps running the next ticks', async () => {
    const { logger, lines } = captureLogger();
    let calls = 0;
    scheduler = createScheduler({ logger });
    scheduler.schedule('flaky', '* * * * * *', () => {
      calls += 1;
      if (calls === 1) throw new Error('mailbox unreachable');
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2_600);
    expect(calls).toBe(3);
    const failed = lines.filter((line) => line.phase === 'error');
    expect(failed).toEqual([
      expect.objectContaining({
        level: 'error',
        job: 'flaky',
        tick: tickAt(1),
        msg: 'flaky failed',
        duration_ms: expect.any(Number),
        err: expect.objectContaining({ message: 'mailbox unreachable' }),
      }),
    ]);
    expect(lines.filter((line) => line.phase === 'end').map((line) => line.tick)).toEqual([
      tickAt(2),
      tickAt(3),
    ]);
  });

  it('aborts the signal of a run that outlives timeoutMs and counts the run as failed', async () => {
    const { logger, lines } = captureLogger();
    let reason: unknown;
    scheduler = createScheduler({ logger });
    scheduler.schedule(
      'export',
      '* * * * * *',
      ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            resolve();
          });
        }),
      { timeoutMs: 300 },
    );
    scheduler.start();
    await vi.advanceTimersByTimeAsync(900);
    expect((reason as Error).name).toBe('TimeoutError');
    expect(lines.find((line) => line.phase === 'error')).toMatchObject({
      job: 'export',
      tick: tickAt(1),
      err: { message: 'export exceeded its timeout of 300 ms' },
    });
  });

  it('traces each run as a root span with the job, its cron and its tick', async () => {
    const { logger } = captureLogger();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    let calls = 0;
    scheduler = createScheduler({ logger, tracerProvider: provider });
    scheduler.schedule('report', '* * * * * *', () => {
      calls += 1;
      if (calls === 2) throw new Error('no data');
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1_600);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['schedule report', 'schedule report']);
    const [ok, failed] = spans;
    expect(ok?.instrumentationScope.name).toBe(TRACER_NAME);
    expect(ok?.kind).toBe(SpanKind.INTERNAL);
    expect(ok?.parentSpanContext).toBeUndefined();
    expect(ok?.attributes).toEqual({
      'wharf.schedule.job': 'report',
      'wharf.schedule.cron': '* * * * * *',
      'wharf.schedule.tick': tickAt(1),
      'wharf.schedule.outcome': 'ran',
    });
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no data' });
    expect(failed?.attributes['wharf.schedule.outcome']).toBe('failed');
    await provider.shutdown();
  });
});

describe('stop()', () => {
  it('stops firing and waits for the run in progress', async () => {
    const { logger } = captureLogger();
    const release = deferred();
    const ticks: string[] = [];
    let finished = false;
    scheduler = createScheduler({ logger });
    scheduler.schedule('sync', '* * * * * *', async ({ tick }) => {
      ticks.push(tick.toISOString());
      await release.promise;
      finished = true;
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(600);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(ticks).toEqual([tickAt(1)]);
  });

  it('gives up after stopTimeoutMs: aborts the run and rejects naming the job', async () => {
    const { logger } = captureLogger();
    let aborted: unknown;
    scheduler = createScheduler({ logger, stopTimeoutMs: 1_000 });
    scheduler.schedule('stuck', '* * * * * *', ({ signal }) => {
      signal.addEventListener('abort', () => {
        aborted = signal.reason;
      });
      return new Promise<void>(() => {});
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(600);
    const stopping = scheduler.stop();
    const outcome = expect(stopping).rejects.toThrow(
      'Scheduled jobs still running after 1000 ms: stuck',
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
    expect((aborted as Error).name).toBe('AbortError');
  });
});

describe('useScheduler()', () => {
  it('starts the scheduler with the service and stops it with the service', async () => {
    const { logger } = captureLogger();
    const service = createService({
      name: 'jobs',
      config: { log: { level: 'silent' } },
      routes: [],
    });
    const ticks: string[] = [];
    scheduler = useScheduler(service, createScheduler({ logger }));
    scheduler.schedule('tick', '* * * * * *', ({ tick }) => void ticks.push(tick.toISOString()));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ticks).toEqual([]);
    await service.ready();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ticks).toEqual([tickAt(2)]);
    await service.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(ticks).toEqual([tickAt(2)]);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from 'wharf/db';
import { createScheduler, type Scheduler } from 'wharf/schedule';
import { captureLogger, eventually } from './helpers.js';

/** PGlite's first start (initdb in WebAssembly) takes seconds of CPU. */
const START_TIMEOUT_MS = 120_000;
/** Three per-second ticks, with room for a slow machine. */
const TICKS_WAIT_MS = 10_000;

interface RunRow extends Record<string, unknown> {
  tick: Date;
  owner: string;
  finished_at: Date | null;
  error: string | null;
}

/** A job name no other test (or earlier run on the same server) uses. */
const uniqueJob = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

function runsOf(db: Database, job: string): Promise<RunRow[]> {
  return db.fetch<RunRow>`
    select tick, owner, finished_at, error from schedule_runs where job = ${job} order by tick`;
}

const schedulers: Scheduler[] = [];

afterEach(async () => {
  await Promise.allSettled(schedulers.splice(0).map((scheduler) => scheduler.stop()));
});

describe('ticks on embedded PGlite', () => {
  let db: Database;

  beforeAll(async () => {
    db = createDatabase({ url: '' });
    await db.ping();
  }, START_TIMEOUT_MS);

  afterAll(() => db.close());

  it(
    'runs each tick once in the single process and records it in schedule_runs',
    async () => {
      const job = uniqueJob('pglite');
      const { logger } = captureLogger();
      const ticks: string[] = [];
      const scheduler = createScheduler({ logger, db, owner: 'only' });
      schedulers.push(scheduler);
      scheduler.schedule(job, '* * * * * *', ({ tick }) => {
        ticks.push(tick.toISOString());
        if (ticks.length === 2) throw new Error('second run fails');
      });
      scheduler.start();
      await eventually(() => ticks.length >= 3, TICKS_WAIT_MS);
      await scheduler.stop();

      expect(new Set(ticks).size).toBe(ticks.length);
      const rows = await runsOf(db, job);
      expect(rows.map((row) => row.tick.toISOString())).toEqual(ticks);
      expect(rows.every((row) => row.owner === 'only' && row.finished_at !== null)).toBe(true);
      expect(rows.map((row) => row.error)).toEqual([
        null,
        'second run fails',
        ...ticks.slice(2).map(() => null),
      ]);
    },
    TICKS_WAIT_MS + 5_000,
  );

  it(
    'skips a tick it cannot claim, logging why, rather than risk running it twice',
    async () => {
      const closed = createDatabase({ url: '' });
      await closed.close();
      const { logger, lines } = captureLogger();
      let runs = 0;
      const scheduler = createScheduler({ logger, db: closed });
      schedulers.push(scheduler);
      scheduler.schedule('orphan', '* * * * * *', () => {
        runs += 1;
      });
      scheduler.start();
      await eventually(() => lines.some((line) => line.phase === 'skipped'), TICKS_WAIT_MS);
      expect(runs).toBe(0);
      expect(lines.find((line) => line.phase === 'skipped')).toMatchObject({
        level: 'error',
        job: 'orphan',
        msg: 'orphan tick skipped: it could not be claimed in the database',
      });
    },
    TICKS_WAIT_MS + 5_000,
  );
});

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('ticks across replicas on PostgreSQL', () => {
  const pools: Database[] = [];

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
  });

  it(
    'runs each tick exactly once when two schedulers race for it',
    async () => {
      const job = uniqueJob('race');
      const runs: { replica: string; tick: string }[] = [];
      // Two pools stand for two replicas: each claims through its own connections.
      for (const replica of ['a', 'b']) {
        const db = createDatabase({ url });
        pools.push(db);
        const scheduler = createScheduler({ logger: captureLogger().logger, db, owner: replica });
        schedulers.push(scheduler);
        scheduler.schedule(job, '* * * * * *', ({ tick }) => {
          runs.push({ replica, tick: tick.toISOString() });
        });
      }
      for (const scheduler of schedulers) scheduler.start();
      await eventually(() => runs.length >= 3, TICKS_WAIT_MS);
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));

      const ticks = runs.map((run) => run.tick);
      expect(new Set(ticks).size).toBe(ticks.length);
      const [first] = pools;
      const rows = await runsOf(first as Database, job);
      expect(rows.map((row) => [row.owner, row.tick.toISOString()])).toEqual(
        [...runs]
          .sort((x, y) => x.tick.localeCompare(y.tick))
          .map((run) => [run.replica, run.tick]),
      );
      // Consecutive seconds: no tick was lost between the two.
      const seconds = rows.map((row) => row.tick.getTime() / 1000);
      expect(seconds).toEqual(seconds.map((_, i) => (seconds[0] as number) + i));
      await (first as Database).execute`delete from schedule_runs where job = ${job}`;
    },
    TICKS_WAIT_MS + 10_000,
  );

  it(
    'keeps a replica from starting a tick while another still runs an earlier one',
    async () => {
      const job = uniqueJob('long');
      const runs: { replica: string; start: number; end: number }[] = [];
      const captures = [captureLogger(), captureLogger()];
      for (const [i, replica] of ['a', 'b'].entries()) {
        const db = createDatabase({ url });
        pools.push(db);
        const { logger } = captures[i] as ReturnType<typeof captureLogger>;
        const scheduler = createScheduler({ logger, db, owner: replica });
        schedulers.push(scheduler);
        // Each run outlasts the next tick (1 s later) but not the one after.
        scheduler.schedule(job, '* * * * * *', async () => {
          const start = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          runs.push({ replica, start, end: Date.now() });
        });
      }
      for (const scheduler of schedulers) scheduler.start();
      await eventually(() => runs.length >= 2, TICKS_WAIT_MS);
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));

      const sorted = [...runs].sort((x, y) => x.start - y.start);
      for (let i = 1; i < sorted.length; i += 1) {
        expect(sorted[i]?.start).toBeGreaterThanOrEqual(sorted[i - 1]?.end as number);
      }
      // The replica that did not hold the job skipped the tick and said why.
      const skipped = captures.flatMap(({ lines }) =>
        lines.filter((line) => line.reason === 'running'),
      );
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped[0]).toMatchObject({
        level: 'warn',
        msg: `${job} tick skipped: an earlier run is still running in another process`,
      });
      const [first] = pools;
      await (first as Database).execute`delete from schedule_runs where job = ${job}`;
    },
    TICKS_WAIT_MS + 10_000,
  );
});

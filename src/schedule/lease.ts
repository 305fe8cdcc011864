import { hostname } from 'node:os';
import type { Database, Queryable } from '../db/index.js';

/** The table where each tick of each job is claimed by the one process that runs it. */
export const SCHEDULE_RUNS_TABLE = 'schedule_runs';

/**
 * The first key of the advisory locks held while a job runs (`pg_try_advisory_lock(int,
 * int)`, whose key space is apart from the one-bigint form's); the second is
 * `hashtext(job)`. Arbitrary but fixed: every process must use the same.
 */
const RUN_LOCK_CLASS = 1_464_353_106;

/** Whether `body` ran, and why not: another process ran this tick, or still runs an earlier one. */
export type LeaseOutcome = 'ran' | 'claimed' | 'running';

/**
 * How the ticks of a job are shared between the processes of a service.
 *
 * Each tick is a row of `schedule_runs` keyed by (job, tick). Every process computes the
 * same tick times from the cron expression (whole seconds, in the job's timezone), and the
 * one whose `insert … on conflict do nothing` adds the row runs that tick; the others find
 * it taken and skip it. The key is the tick, not the time a process woke up, so clocks that
 * disagree still agree on which tick is which: a late process finds its tick claimed,
 * however late it is, as long as the row is kept (`prune`). A tick whose process dies
 * during the run is not run again: each tick runs at most once, and exactly once while its
 * claimer lives. (`pg_try_advisory_xact_lock` alone would not do: a process whose clock is
 * behind would take the lock after the other released it, and run the tick again.)
 *
 * On PostgreSQL the process also holds a session advisory lock on the job while it runs
 * it, so no replica starts a later tick while an earlier one still runs elsewhere. The
 * lock lives on one pool connection taken for the whole run, and goes with the connection
 * if the process dies. Embedded PGlite serves a single process, which needs no lock.
 */
export interface RunLease {
  /** Create the table when missing; safe to call from several processes at once. */
  ensureTable(): Promise<void>;
  /**
   * Run `body` if this process wins `tick` of `job`. Rejects only when claiming failed,
   * before `body` ran; `body` itself must not reject.
   */
  run(job: string, tick: Date, body: () => Promise<void>): Promise<LeaseOutcome>;
  /** Record how the claimed run ended: `error` is null for a success. */
  finish(job: string, tick: Date, error: string | null): Promise<void>;
  /** Delete the rows of `job` whose tick is older than `before`. */
  prune(job: string, before: Date): Promise<void>;
}

/** A lease on `db`, recording this process as `owner` of the ticks it claims. */
export function databaseLease(db: Database, owner = defaultOwner()): RunLease {
  const claim = async (q: Queryable, job: string, tick: Date) =>
    (await q.execute`
      insert into schedule_runs (job, tick, owner) values (${job}, ${tick}, ${owner})
      on conflict (job, tick) do nothing`) === 1;

  return {
    ensureTable: () =>
      db.transaction(async (tx) => {
        // Two processes running `create table if not exists` at the same moment can both
        // try to create it, and one then fails on the catalog's unique index.
        await tx.execute`select pg_advisory_xact_lock(7357011240911002114)`;
        await createTable(tx);
      }),
    async run(job, tick, body) {
      if (db.engine === 'pglite') {
        if (!(await claim(db, job, tick))) return 'claimed';
        await body();
        return 'ran';
      }
      return db.acquire(async (q) => {
        const locked = await q.fetchval<boolean>`
          select pg_try_advisory_lock(${RUN_LOCK_CLASS}, hashtext(${job}))`;
        if (!locked) return 'running';
        try {
          if (!(await claim(q, job, tick))) return 'claimed';
          await body();
          return 'ran';
        } finally {
          // Should this fail, the connection has failed, and its session took the lock along.
          await q.execute`select pg_advisory_unlock(${RUN_LOCK_CLASS}, hashtext(${job}))`.catch(
            () => {},
          );
        }
      });
    },
    async finish(job, tick, error) {
      await db.execute`
        update schedule_runs set finished_at = now(), error = ${error}
        where job = ${job} and tick = ${tick}`;
    },
    async prune(job, before) {
      await db.execute`delete from schedule_runs where job = ${job} and tick < ${before}`;
    },
  };
}

async function createTable(q: Queryable): Promise<void> {
  await q.execute`
    create table if not exists schedule_runs (
      job text not null,
      tick timestamptz not null,
      owner text not null,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      error text,
      primary key (job, tick)
    )`;
}

function defaultOwner(): string {
  return `${process.pid}@${hostname()}`;
}

/**
 * Scheduler overhead: an empty job scheduled every second; how long after its tick it
 * starts (timer, claim, span, log lines) and the CPU each tick costs, without a database
 * and, when one is given, with its tick lease in PostgreSQL. Runs inside the benchmark
 * process.
 *
 *   node --conditions=source --import tsx bench/schedule.ts [postgres URL]
 */
import { pino } from 'pino';
import { createDatabase } from 'wharf/db';
import { createScheduler, type Job } from 'wharf/schedule';
import type { InProcessResult } from './report.js';
import { median } from './report.js';

/** Ticks measured per setting (the first only starts the clock); the finest cron tick is one second. */
const TICKS = 5;

interface TickCost {
  /** Median milliseconds from the tick's instant to the job starting (timer, claim, span, logs). */
  dispatchMs: number;
  /** This process's CPU time per tick, in microseconds, between the first and the last run. */
  cpuUs: number;
}

/** An empty every-second job over TICKS ticks. */
async function perTick(databaseUrl: string): Promise<TickCost> {
  const db = databaseUrl ? createDatabase({ url: databaseUrl, poolSize: 2 }) : undefined;
  const scheduler = createScheduler({
    logger: pino({ level: 'silent' }),
    ...(db ? { db } : {}),
    owner: 'bench',
  });
  const lags: number[] = [];
  let firstCpu: NodeJS.CpuUsage | undefined;
  let cpu: NodeJS.CpuUsage | undefined;
  let enough: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    enough = resolve;
  });
  const job: Job = ({ tick }) => {
    // The tick is a wall-clock instant, so it is compared with the wall clock: timeOrigin
    // plus the monotonic clock drifts from it when the system clock is adjusted (seconds
    // over a long benchmark run on a virtual machine).
    lags.push(Date.now() - tick.getTime());
    if (!firstCpu) firstCpu = process.cpuUsage();
    else if (lags.length === TICKS) {
      cpu = process.cpuUsage(firstCpu);
      enough();
    }
  };
  scheduler.schedule('bench-empty', '* * * * * *', job);
  scheduler.start();
  try {
    await done;
  } finally {
    await scheduler.stop();
    await db?.close();
  }
  const used = cpu ? cpu.user + cpu.system : Number.NaN;
  // The first run also creates the lease table: its lag is left out.
  return { dispatchMs: median(lags.slice(1)), cpuUs: used / (TICKS - 1) };
}

export async function measureSchedule(databaseUrl: string): Promise<InProcessResult[]> {
  const settings: [string, string, string][] = [['no database', '', 'no lease']];
  if (databaseUrl) {
    settings.push(['PostgreSQL lease', databaseUrl, 'each tick claimed in schedule_runs']);
  }
  const results: InProcessResult[] = [];
  for (const [name, url, how] of settings) {
    const cost = await perTick(url);
    const detail = `an empty job ticking every second, ${TICKS - 1} ticks, ${how}`;
    results.push(
      {
        name: `scheduler tick to job start (${name})`,
        value: cost.dispatchMs,
        unit: 'ms (median)',
        detail,
      },
      { name: `scheduler CPU per tick (${name})`, value: cost.cpuUs, unit: 'µs', detail },
    );
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await measureSchedule(process.argv[2] ?? '')) {
    console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}`);
  }
}

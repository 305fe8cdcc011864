/**
 * Sustained load on a one-row primary-key read: Wharf's Database (admission control in
 * front of postgres.js) against raw postgres.js with the same pool size, each behind a
 * bare Fastify route in its own process, driven by autocannon.
 *
 *   node --conditions=source --import tsx bench/db-pool.ts \
 *     [--url postgres://postgres@127.0.0.1:5432/test] [--duration 60] [--connections 64] \
 *     [--pool 10] [--modes wharf,raw] [--sweep 4,10,16,32 --sweep-duration 20]
 *
 * Prints requests per second for every second, and the first 10 s against the last 10 s:
 * a driver whose internal queue degrades under backlog shows up as a falling series.
 *
 * `--direct` drops HTTP: the child process runs `--connections` concurrent query loops
 * itself, which isolates the database layer when autocannon and Fastify would otherwise
 * take most of the CPU of a small machine.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import postgres from 'postgres';
import { createDatabase } from 'wharf/db';

type Mode = 'wharf' | 'raw';

const TABLE = 'wharf_bench_items';
const ROWS = 10_000;

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '64' },
    pool: { type: 'string', default: '10' },
    modes: { type: 'string', default: 'wharf,raw' },
    sweep: { type: 'string', default: '' },
    'sweep-duration': { type: 'string', default: '20' },
    direct: { type: 'boolean', default: false },
    serve: { type: 'string' },
  },
});

if (args.serve && args.direct) {
  await loops(args.serve as Mode, args.url, Number(args.pool));
} else if (args.serve) {
  await serve(args.serve as Mode, args.url, Number(args.pool));
} else {
  await main();
}

/** The one-row read each request makes, through Wharf's Database or raw postgres.js. */
function reader(mode: Mode, url: string, pool: number) {
  let next = 0;
  const nextId = () => (next++ % ROWS) + 1;
  if (mode === 'wharf') {
    const db = createDatabase({ url, poolSize: pool, maxQueued: 100_000 });
    return {
      read: () => db.fetchrow`select id, name from wharf_bench_items where id = ${nextId()}`,
      close: () => db.close(),
    };
  }
  const sql = postgres(url, { max: pool, prepare: true, onnotice: () => undefined });
  return {
    read: async () => {
      const [row] = await sql`select id, name from wharf_bench_items where id = ${nextId()}`;
      return row ?? null;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Child process, `--direct`: concurrent query loops, counted per second, sent to the parent. */
async function loops(mode: Mode, url: string, pool: number): Promise<void> {
  const { read, close } = reader(mode, url, pool);
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const run = async (seconds: number) => {
    const perSecond: number[] = [];
    let count = 0;
    const end = Date.now() + seconds * 1000;
    const tick = setInterval(() => {
      perSecond.push(count);
      count = 0;
    }, 1000);
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (Date.now() < end) {
          await read();
          count++;
        }
      }),
    );
    clearInterval(tick);
    return perSecond;
  };
  await run(3); // warm-up
  const perSecond = await run(duration);
  await close();
  process.send?.({ perSecond });
}

/** Child process: one Fastify route reading one row by primary key. */
async function serve(mode: Mode, url: string, pool: number): Promise<void> {
  const app = Fastify({ logger: false });
  const { read, close } = reader(mode, url, pool);
  app.get('/item', read);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ address });
  process.once('SIGTERM', async () => {
    await app.close();
    await close();
    process.exit(0);
  });
}

async function main(): Promise<void> {
  await seed(args.url);
  const connections = Number(args.connections);
  const modes = args.modes.split(',') as Mode[];
  const results: Result[] = [];
  for (const mode of modes) {
    results.push(await measure(mode, Number(args.pool), connections, Number(args.duration)));
  }
  if (args.sweep) {
    for (const pool of args.sweep.split(',').map(Number)) {
      results.push(await measure('wharf', pool, connections, Number(args['sweep-duration'])));
    }
  }
  console.log(
    '\nmode   pool  conns  secs  first10 req/s  last10 req/s  change  mean req/s  p99 ms  errors',
  );
  // first10/last10: mean req/s over the first and the last ten seconds of the run.
  for (const r of results) {
    console.log(
      [
        r.mode.padEnd(5),
        String(r.pool).padStart(5),
        String(r.connections).padStart(6),
        String(r.perSecond.length).padStart(5),
        r.first10.toFixed(0).padStart(14),
        r.last10.toFixed(0).padStart(13),
        `${(((r.last10 - r.first10) / r.first10) * 100).toFixed(1)}%`.padStart(7),
        r.mean.toFixed(0).padStart(11),
        String(r.p99).padStart(7),
        String(r.errors).padStart(7),
      ].join(' '),
    );
  }
}

interface Result {
  mode: Mode;
  pool: number;
  connections: number;
  perSecond: number[];
  first10: number;
  last10: number;
  mean: number;
  p99: number | string;
  errors: number;
}

async function measure(
  mode: Mode,
  pool: number,
  connections: number,
  duration: number,
): Promise<Result> {
  const childArgs = ['--serve', mode, '--url', args.url, '--pool', String(pool)];
  childArgs.push('--connections', String(connections), '--duration', String(duration));
  if (args.direct) childArgs.push('--direct');
  const child = fork(fileURLToPath(import.meta.url), childArgs, {
    execArgv: ['--conditions=source', '--import', 'tsx'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const run = args.direct
      ? await directRun(child, duration)
      : await httpRun(await nextMessage<{ address: string }>(child, 30), connections, duration);
    const { perSecond } = run;
    // A last partial second can be reported as a run ends; keep whole seconds only.
    perSecond.splice(duration);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    console.log(
      `${mode} pool=${pool} conns=${connections} req/s per second: ${perSecond.join(' ')}`,
    );
    return {
      mode,
      pool,
      connections,
      perSecond,
      first10: avg(perSecond.slice(0, 10)),
      last10: avg(perSecond.slice(-10)),
      mean: avg(perSecond),
      p99: run.p99,
      errors: run.errors,
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

interface Run {
  perSecond: number[];
  p99: number | string;
  errors: number;
}

async function httpRun({ address }: { address: string }, connections: number, duration: number) {
  // Warm the pool, the statement caches and the JIT before counting.
  await autocannon({ url: `${address}/item`, connections, duration: 3 });
  const perSecond: number[] = [];
  // autocannon's result is also an event emitter: 'tick' reports each second's count.
  const instance = autocannon({ url: `${address}/item`, connections, duration }) as ReturnType<
    typeof autocannon
  > & { on(event: 'tick', listener: (tick: { counter: number }) => void): void };
  instance.on('tick', ({ counter }) => perSecond.push(counter));
  const result = await instance;
  return {
    perSecond,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  } satisfies Run;
}

async function directRun(child: ChildProcess, duration: number): Promise<Run> {
  const { perSecond } = await nextMessage<{ perSecond: number[] }>(child, duration + 60);
  return { perSecond, p99: '-', errors: 0 };
}

function nextMessage<T>(child: ChildProcess, timeoutSeconds: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer from the child in ${timeoutSeconds} s`)),
      timeoutSeconds * 1000,
    );
    child.once('message', (msg: T) => {
      clearTimeout(timer);
      resolve(msg);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}`));
    });
  });
}

async function seed(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  await sql`create table if not exists ${sql(TABLE)} (id int primary key, name text not null)`;
  await sql`insert into ${sql(TABLE)} select i, 'item ' || i from generate_series(1, ${ROWS}::int) i
            on conflict (id) do nothing`;
  await sql.end();
}

/**
 * `npm run bench`: Wharf ("lean" and "full" profiles) against bare Fastify and bare
 * node:http on the same endpoints, in one invocation:
 * - GET /hello: a static JSON answer;
 * - GET /cities/1: the cities example, data in memory (the framework's own cost);
 * - GET /cities/1 again, Wharf tracing every request against Wharf with tracing off;
 * - GET /users/10: the users example reading one row by primary key from PostgreSQL, then
 *   one sustained run per server (full Wharf and Fastify) to see whether the rate holds;
 * - GET /users/1: the same read, then the user's city and role from two upstream services
 *   at once (the fan-out), then sustained runs;
 * - POST /users: a validated, authenticated insert, then sustained runs;
 * then start-up time and idle memory (cities), and in-process messaging and scheduler
 * measurements. Usage and defaults: see USAGE in bench/options.ts.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveCoreConfig } from 'wharf';
import { signToken } from 'wharf/auth';
import { type BenchDatabase, createBenchDatabase, redact, SEED_USERS } from './bench-database.js';
import { canPin, pinSelf } from './cpu.js';
import { checkBody, measure, type RunResult, warmUp } from './load.js';
import { describeMachine } from './machine.js';
import { measureMessaging } from './messaging.js';
import { type BenchOptions, parseOptions } from './options.js';
import {
  type BenchReport,
  formatTable,
  type ScenarioReport,
  scenarioReport,
  summarise,
  writeJson,
  writeMarkdown,
} from './report.js';
import {
  CITIES,
  CITIES_TRACED,
  HELLO,
  type Scenario,
  type UsersSettings,
  usersCreateScenario,
  usersFanOutScenario,
  usersScenario,
} from './scenarios.js';
import { measureSchedule } from './schedule.js';
import { type ServerProcess, startServer } from './server-process.js';
import { measureStartup } from './startup.js';
import { type SustainedResult, sustainedRun } from './sustained.js';

const DEFAULTS = resolveCoreConfig();
/** Wharf's default pool size; the bare Fastify server gets as many connections. */
const POOL_SIZE = DEFAULTS.db.poolSize;
/** Connections of each of Wharf's client pools; the bare undici pools get as many. */
const CLIENT_CONNECTIONS = DEFAULTS.client.connections;

/** What must be undone however the run ends, Ctrl+C included: servers, the database. */
const cleanups = new Set<() => Promise<void>>();

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine(options.loadGenerator);
  const pinned = canPin(machine.cpuCount);
  if (pinned) pinSelf();
  printHeader(options, machine, pinned);

  // The database first: an unreachable server fails the run before minutes of measuring.
  let bench: BenchDatabase | undefined;
  if (options.databaseUrl) {
    console.log(
      `Creating a benchmark database with ${SEED_USERS} users on ${redact(options.databaseUrl)}`,
    );
    bench = await createBenchDatabase(options.databaseUrl);
    const drop = bench.drop;
    cleanups.add(drop);
  }
  try {
    const scenarios = [
      await runScenario(HELLO, options, pinned),
      await runScenario(CITIES, options, pinned),
      await runScenario(CITIES_TRACED, options, pinned),
    ];
    if (bench) {
      const settings: UsersSettings = {
        databaseUrl: bench.url,
        poolSize: POOL_SIZE,
        clientConnections: CLIENT_CONNECTIONS,
        jwtSecret: randomBytes(32).toString('base64url'),
      };
      scenarios.push(await runScenario(usersScenario(settings), options, pinned));
      scenarios.push(await runScenario(usersFanOutScenario(settings), options, pinned));
      const token = await signToken(
        { sub: 'bench', scope: 'users:write' },
        { secret: settings.jwtSecret, expiresIn: '1d' },
      );
      scenarios.push(await runScenario(usersCreateScenario(settings, token), options, pinned));
    }
    const startup = options.startup ? await runStartup(pinned) : [];
    const inProcess = options.inProcess ? await runInProcess(options, bench?.url ?? '') : [];
    const { databaseUrl, amqpUrl, ...rest } = options;
    const report: BenchReport = {
      machine,
      options: { ...rest, pinned },
      database: bench ? { url: redact(databaseUrl), version: bench.serverVersion } : null,
      scenarios,
      startup,
      inProcess,
    };
    console.log(`\n${formatTable(report)}\n`);
    const out = options.out ? pathToFileURL(`${resolve(options.out)}/`) : undefined;
    const json = writeJson(report, out ?? new URL('./results/', import.meta.url));
    const markdown = writeMarkdown(
      report,
      new URL(out ? 'RESULTS.md' : './RESULTS.md', out ?? import.meta.url),
    );
    console.log(`Wrote ${json} and ${markdown}`);
  } finally {
    await runCleanups();
  }
}

function printHeader(
  options: BenchOptions,
  machine: ReturnType<typeof describeMachine>,
  pinned: boolean,
): void {
  console.log(
    `${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s, ` +
      `${options.runs} runs per server` +
      (options.sustained > 0
        ? `, a sustained ${options.sustained} s run per database endpoint for full Wharf and Fastify`
        : '') +
      (pinned ? ', servers on CPU 0, load on CPU 1' : ', no CPU pinning'),
  );
  console.log(loadGeneratorLine(options, machine.versions.wrk));
  console.log(`${machine.cpuModel} (${machine.cpuCount} CPUs), Node ${machine.node}`);
  if (machine.loadAverage > machine.cpuCount / 2) {
    console.log(
      `Note: the load average is ${machine.loadAverage}; other work on this machine will skew the figures.`,
    );
  }
  console.log('');
}

function loadGeneratorLine(options: BenchOptions, wrkVersion: string | undefined): string {
  if (options.loadGenerator === 'autocannon') return 'Load generator: autocannon';
  const sustained = options.sustained > 0 ? '; sustained runs: autocannon' : '';
  return `Load generator: wrk ${wrkVersion ?? ''}, 1 thread${sustained}`;
}

async function runScenario(
  scenario: Scenario,
  options: BenchOptions,
  pinned: boolean,
): Promise<ScenarioReport> {
  const { request } = scenario;
  console.log(`\n${request.method} ${request.path}: ${scenario.description}`);
  const load = { request, connections: options.connections, generator: options.loadGenerator };
  const servers: ServerProcess[] = [];
  const upstreams: ServerProcess[] = [];
  const runs = new Map<string, RunResult[]>(scenario.servers.map((s) => [s.name, []]));
  const peaks = new Map<string, number>();
  const sustained: SustainedResult[] = [];
  const stopAll = () =>
    Promise.all([...servers, ...upstreams].map((s) => s.stop())).then(() => undefined);
  cleanups.add(stopAll);
  try {
    // Upstreams are stopped with the rest; not pinned, they take whichever CPU is free.
    const upstreamEnv: Record<string, string> = {};
    for (const spec of scenario.upstreams ?? []) {
      const upstream = await startServer(spec, false);
      upstreams.push(upstream);
      upstreamEnv[spec.urlEnv] = upstream.baseUrl;
    }
    for (const spec of scenario.servers) {
      servers.push(await startServer({ ...spec, env: { ...spec.env, ...upstreamEnv } }, pinned));
    }
    for (const server of servers) await checkBody(server, scenario);
    for (let run = 0; run < options.runs; run++) {
      // Rotate which server goes first, so slow drift of the machine hits all alike.
      const order = servers.map((_, i) => servers[(i + run) % servers.length] as ServerProcess);
      for (const server of order) {
        await warmUp(server, { ...load, duration: options.warmup });
        const result = await measure(server, { ...load, duration: options.duration });
        runs.get(server.name)?.push(result);
        console.log(
          `run ${run + 1}/${options.runs} ${server.name.padEnd(8)} ` +
            `${Math.round(result.reqPerSec)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
            `${result.cpuUsPerRequest.toFixed(1)} µs CPU/request`,
        );
      }
    }
    for (const server of servers) peaks.set(server.name, server.peakRss());
    if (scenario.database && options.sustained > 0) {
      const long = new Set(scenario.servers.filter((s) => s.sustained).map((s) => s.name));
      for (const server of servers.filter((s) => long.has(s.name))) {
        console.log(`sustained ${options.sustained} s ${server.name} …`);
        const result = await sustainedRun(server, { ...load, duration: options.sustained });
        sustained.push(result);
        console.log(
          `  first 10 s ${Math.round(result.first10)} req/s, last 10 s ${Math.round(result.last10)} req/s`,
        );
      }
    }
  } finally {
    cleanups.delete(stopAll);
    await stopAll();
  }
  const summaries = scenario.servers.map((spec) =>
    summarise(spec.name, runs.get(spec.name) ?? [], peaks.get(spec.name) ?? 0),
  );
  return scenarioReport(scenario, summaries, sustained);
}

/** Start-up to first answer and idle RSS of the cities service, Wharf (full) against bare servers. */
async function runStartup(pinned: boolean) {
  const starts = 3;
  console.log(`\nStart-up: spawn to first 200 on ${CITIES.request.path}, ${starts} starts each`);
  const results = [];
  for (const spec of CITIES.servers.filter((s) => s.name !== 'lean')) {
    const result = await measureStartup(spec, CITIES.request.path, starts, pinned);
    results.push(result);
    console.log(
      `${spec.name.padEnd(8)} ${Math.round(result.medianStartMs)} ms, idle RSS ${(result.idleRssBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  }
  return results;
}

/** Messaging and scheduler figures, measured in this process. */
async function runInProcess(options: BenchOptions, databaseUrl: string) {
  console.log(
    `\nIn process: messaging (in-memory broker${options.amqpUrl ? ' and RabbitMQ' : ''}), scheduler ticks`,
  );
  const results = [
    ...(await measureMessaging(options.amqpUrl)),
    ...(await measureSchedule(databaseUrl)),
  ];
  for (const r of results) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}`);
  return results;
}

async function runCleanups(): Promise<void> {
  const pending = [...cleanups];
  cleanups.clear();
  // Servers first: the database cannot be dropped while they hold connections to it
  // (the drop forces them off anyway, but stopped servers log no errors about it).
  for (const cleanup of pending.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      console.error(`cleanup failed: ${err instanceof Error ? err.message : err}`);
    }
  }
}

// Ctrl+C reaches the servers too (same process group); stop them and drop the database.
process.once('SIGINT', () => {
  console.error('\nInterrupted; cleaning up');
  runCleanups().finally(() => process.exit(130));
});

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await runCleanups();
  process.exitCode = 1;
});

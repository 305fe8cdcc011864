/**
 * `npm run bench`: the Wharf cities service against bare Fastify on the same route.
 * Usage and defaults: see USAGE in bench/options.ts.
 */
import { canPin, pinSelf } from './cpu.js';
import { checkBody, measure, type RunResult, warmUp } from './load.js';
import { describeMachine } from './machine.js';
import { parseOptions } from './options.js';
import { type BenchReport, formatTable, summarise, writeJson, writeMarkdown } from './report.js';
import { type ServerProcess, startServer } from './server-process.js';
import { TARGET_PATH } from './target.js';

const SERVERS = ['wharf', 'fastify'] as const;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const pinned = canPin(machine.cpuCount);
  if (pinned) pinSelf();
  console.log(
    `GET ${TARGET_PATH}: ${options.connections} connections, ${options.warmup} s warm-up + ` +
      `${options.duration} s, ${options.runs} runs per server` +
      (pinned ? ', servers on CPU 0, load on CPU 1' : ', no CPU pinning'),
  );
  console.log(`${machine.cpuModel} (${machine.cpuCount} CPUs), Node ${machine.node}`);
  if (machine.loadAverage > machine.cpuCount / 2) {
    console.log(
      `Note: the load average is ${machine.loadAverage}; other work on this machine will skew the figures.`,
    );
  }
  console.log('');

  const servers: ServerProcess[] = [];
  const runs = new Map<string, RunResult[]>(SERVERS.map((name) => [name, []]));
  const peaks = new Map<string, number>();
  try {
    for (const name of SERVERS) servers.push(await startServer(name, pinned));
    for (const server of servers) await checkBody(server);
    for (let run = 0; run < options.runs; run++) {
      // Alternate which server goes first, so slow drift of the machine hits both alike.
      const order = run % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        await warmUp(server, { ...options, duration: options.warmup });
        const result = await measure(server, options);
        runs.get(server.name)?.push(result);
        console.log(
          `run ${run + 1}/${options.runs} ${server.name.padEnd(7)} ` +
            `${Math.round(result.reqPerSec)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
            `${result.cpuUsPerRequest.toFixed(1)} µs CPU/request`,
        );
      }
    }
    for (const server of servers) peaks.set(server.name, server.peakRss());
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }

  const summaries = SERVERS.map((name) =>
    summarise(name, runs.get(name) ?? [], peaks.get(name) ?? 0),
  );
  const [wharf, fastify] = summaries;
  const report: BenchReport = {
    machine,
    options: { ...options, pinned },
    target: TARGET_PATH,
    servers: summaries,
    throughputRatio: (wharf?.medianReqPerSec ?? 0) / (fastify?.medianReqPerSec ?? 1),
    cpuCostRatio: (wharf?.medianCpuUsPerRequest ?? 0) / (fastify?.medianCpuUsPerRequest ?? 1),
  };
  console.log(`\n${formatTable(report)}\n`);
  const json = writeJson(report, new URL('./results/', import.meta.url));
  const markdown = writeMarkdown(report, new URL('./RESULTS.md', import.meta.url));
  console.log(`Wrote ${json} and ${markdown}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

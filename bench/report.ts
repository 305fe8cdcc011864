import { mkdirSync, writeFileSync } from 'node:fs';
import type { RunResult } from './load.js';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';

export interface ServerSummary {
  name: string;
  runs: RunResult[];
  medianReqPerSec: number;
  medianP50Ms: number;
  medianP99Ms: number;
  medianCpuUsPerRequest: number;
  peakRssBytes: number;
}

export interface BenchReport {
  machine: Machine;
  options: BenchOptions & { pinned: boolean };
  target: string;
  servers: ServerSummary[];
  /** Median req/s of Wharf divided by that of bare Fastify. */
  throughputRatio: number;
  /** Median server CPU per request of Wharf divided by that of bare Fastify. */
  cpuCostRatio: number;
}

export function summarise(name: string, runs: RunResult[], peakRssBytes: number): ServerSummary {
  return {
    name,
    runs,
    medianReqPerSec: median(runs.map((r) => r.reqPerSec)),
    medianP50Ms: median(runs.map((r) => r.p50Ms)),
    medianP99Ms: median(runs.map((r) => r.p99Ms)),
    medianCpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
    peakRssBytes,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const HEADER = [
  'server',
  'req/s (median)',
  'p50 ms',
  'p99 ms',
  'CPU µs/req',
  'peak RSS MiB',
  'req/s per run',
];

function rows(report: BenchReport): string[][] {
  return report.servers.map((s) => [
    s.name,
    Math.round(s.medianReqPerSec).toString(),
    s.medianP50Ms.toString(),
    s.medianP99Ms.toString(),
    s.medianCpuUsPerRequest.toFixed(1),
    (s.peakRssBytes / 2 ** 20).toFixed(1),
    s.runs.map((r) => Math.round(r.reqPerSec)).join(', '),
  ]);
}

/** The summary table for the terminal, columns padded to line up. */
export function formatTable(report: BenchReport): string {
  const all = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [
    line(HEADER),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows(report).map(line),
    '',
    `Wharf/Fastify throughput ratio: ${report.throughputRatio.toFixed(2)} (median req/s)`,
    `Wharf/Fastify CPU cost ratio:   ${report.cpuCostRatio.toFixed(2)} (median server CPU per request)`,
  ].join('\n');
}

/** bench/results/latest.json: every figure, for tooling and comparisons. */
export function writeJson(report: BenchReport, dir: URL): string {
  mkdirSync(dir, { recursive: true });
  const file = new URL('latest.json', dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file.pathname;
}

/** bench/RESULTS.md: the last run as a readable page. */
export function writeMarkdown(report: BenchReport, file: URL): string {
  const { machine, options } = report;
  const table = [HEADER, HEADER.map(() => '---'), ...rows(report)]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
  const versions = Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const text = `# Benchmark results

Written by \`npm run bench\` (see bench/run.ts); re-run it to refresh this page.

\`GET ${report.target}\` of the example cities service on Wharf (production defaults,
access log on, written to /dev/null) against the same route and JSON on bare Fastify.
Each server runs in its own process; autocannon generates the load from another.

| | |
| --- | --- |
| Date | ${machine.date} |
| Node.js | ${machine.node} |
| Machine | ${machine.cpuModel}, ${machine.cpuCount} CPUs, ${machine.os} |
| Load average at start | ${machine.loadAverage} (1 min) |
| Versions | ${versions} |
| Load | ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s measured, ${options.runs} runs per server, servers alternating |
| CPU pinning | ${options.pinned ? 'server on CPU 0, load generator on CPU 1 (taskset)' : 'none (taskset missing or a single CPU)'} |

${table}

- **Wharf/Fastify throughput ratio: ${report.throughputRatio.toFixed(2)}** (median req/s)
- **Wharf/Fastify CPU cost ratio: ${report.cpuCostRatio.toFixed(2)}** (median server CPU time per request)

Latencies are autocannon's per-request percentiles. CPU µs/req is the server's user plus
system time (all threads) during the measured run divided by the requests answered; unlike
req/s it barely moves when other work competes for the machine, so it is the steadier of
the two comparisons on a busy machine. Peak RSS is the server's VmHWM at the end of all
runs. Figures from one machine only compare servers measured together.
`;
  writeFileSync(file, text);
  return file.pathname;
}

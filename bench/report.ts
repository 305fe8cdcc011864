import { mkdirSync, writeFileSync } from 'node:fs';
import type { RunResult } from './load.js';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import type { Scenario } from './scenarios.js';
import type { SustainedResult } from './sustained.js';

export interface ServerSummary {
  name: string;
  runs: RunResult[];
  medianReqPerSec: number;
  medianP50Ms: number;
  medianP99Ms: number;
  medianCpuUsPerRequest: number;
  peakRssBytes: number;
}

/** The figures of one scenario: Wharf and bare Fastify on one endpoint. */
export interface ScenarioReport {
  name: string;
  description: string;
  path: string;
  servers: ServerSummary[];
  /** What the ratios divide, e.g. `Wharf/Fastify`. */
  ratioLabel: string;
  /** Median req/s of the first server (Wharf) divided by that of the second (the baseline). */
  throughputRatio: number;
  /** Median server CPU per request of the first server divided by that of the second. */
  cpuCostRatio: number;
  /** The long runs, one per server; empty when skipped or not a database scenario. */
  sustained: SustainedResult[];
}

export interface BenchReport {
  machine: Machine;
  options: Omit<BenchOptions, 'databaseUrl'> & { pinned: boolean };
  /** The PostgreSQL server of the database scenario (password hidden), or null. */
  database: { url: string; version: string } | null;
  scenarios: ScenarioReport[];
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

/** Summaries and ratios of a scenario; `servers` holds the server under test first. */
export function scenarioReport(
  scenario: Scenario,
  servers: ServerSummary[],
  sustained: SustainedResult[],
): ScenarioReport {
  const [tested, baseline] = servers;
  return {
    name: scenario.name,
    description: scenario.description,
    path: scenario.path,
    servers,
    ratioLabel: scenario.ratioLabel,
    throughputRatio: (tested?.medianReqPerSec ?? 0) / (baseline?.medianReqPerSec ?? 1),
    cpuCostRatio: (tested?.medianCpuUsPerRequest ?? 0) / (baseline?.medianCpuUsPerRequest ?? 1),
    sustained,
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

const SUSTAINED_HEADER = [
  'server',
  'first 10 s req/s',
  'last 10 s req/s',
  'change',
  'p99 ms',
  'peak RSS MiB',
];

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

function rows(scenario: ScenarioReport): string[][] {
  return scenario.servers.map((s) => [
    s.name,
    Math.round(s.medianReqPerSec).toString(),
    s.medianP50Ms.toString(),
    s.medianP99Ms.toString(),
    s.medianCpuUsPerRequest.toFixed(1),
    mib(s.peakRssBytes),
    s.runs.map((r) => Math.round(r.reqPerSec)).join(', '),
  ]);
}

function sustainedRows(scenario: ScenarioReport): string[][] {
  return scenario.sustained.map((s) => [
    s.server,
    Math.round(s.first10).toString(),
    Math.round(s.last10).toString(),
    `${s.last10 >= s.first10 ? '+' : ''}${(((s.last10 - s.first10) / s.first10) * 100).toFixed(1)} %`,
    s.p99Ms.toString(),
    mib(s.peakRssBytes),
  ]);
}

function ratioLines(scenario: ScenarioReport, bold: boolean): string[] {
  const b = bold ? '**' : '';
  return [
    `${b}${scenario.ratioLabel} throughput ratio: ${scenario.throughputRatio.toFixed(2)}${b} (median req/s)`,
    `${b}${scenario.ratioLabel} CPU cost ratio: ${scenario.cpuCostRatio.toFixed(2)}${b} (median server CPU time per request)`,
  ];
}

function padded(header: string[], body: string[][]): string[] {
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

function markdownTable(header: string[], body: string[][]): string {
  return [header, header.map(() => '---'), ...body]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}

/** The summary tables for the terminal, columns padded to line up. */
export function formatTable(report: BenchReport): string {
  const blocks = report.scenarios.map((scenario) => {
    const lines = [`GET ${scenario.path} (${scenario.name})`, ...padded(HEADER, rows(scenario))];
    lines.push('', ...ratioLines(scenario, false));
    if (scenario.sustained.length > 0) {
      const seconds = scenario.sustained[0]?.seconds ?? 0;
      lines.push('', `Sustained ${seconds} s run per server:`);
      lines.push(...padded(SUSTAINED_HEADER, sustainedRows(scenario)));
    }
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

/** bench/results/latest.json: every figure, for tooling and comparisons. */
export function writeJson(report: BenchReport, dir: URL): string {
  mkdirSync(dir, { recursive: true });
  const file = new URL('latest.json', dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file.pathname;
}

function scenarioSection(scenario: ScenarioReport): string {
  const parts = [
    `## GET ${scenario.path} (${scenario.name})`,
    `${capitalise(scenario.description)}.`,
    markdownTable(HEADER, rows(scenario)),
    ratioLines(scenario, true)
      .map((line) => `- ${line}`)
      .join('\n'),
  ];
  if (scenario.sustained.length > 0) {
    const seconds = scenario.sustained[0]?.seconds ?? 0;
    parts.push(
      `Then one sustained ${seconds} s run per server (same connections), comparing the mean ` +
        'req/s of its first and last ten seconds; peak RSS is read at its end. The rate of ' +
        'every second is in `bench/results/latest.json`.',
      markdownTable(SUSTAINED_HEADER, sustainedRows(scenario)),
    );
  }
  return parts.join('\n\n');
}

/** bench/RESULTS.md: the last run as a readable page. */
export function writeMarkdown(report: BenchReport, file: URL): string {
  const { machine, options } = report;
  const versions = Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const database = report.database
    ? `PostgreSQL ${report.database.version} on the same machine, not pinned; a database of its own, created, seeded and dropped by the run`
    : 'none (the database scenario was skipped)';
  const text = `# Benchmark results

Written by \`npm run bench\` (see bench/run.ts); re-run it to refresh this page.

Each scenario measures one endpoint on Wharf (production defaults, access log on, written
to /dev/null) and the same route and JSON on bare Fastify, except the tracing scenario,
which measures Wharf tracing every request against Wharf with tracing off. Each server runs
in its own process; autocannon generates the load from another. The fan-out scenario's two
upstreams are bare Fastify processes shared by both servers and not pinned to a CPU.

| | |
| --- | --- |
| Date | ${machine.date} |
| Node.js | ${machine.node} |
| Machine | ${machine.cpuModel}, ${machine.cpuCount} CPUs, ${machine.os} |
| Load average at start | ${machine.loadAverage} (1 min) |
| Versions | ${versions} |
| Database | ${database} |
| Load | ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s measured, ${options.runs} runs per server, servers alternating |
| CPU pinning | ${options.pinned ? 'server on CPU 0, load generator on CPU 1 (taskset)' : 'none (taskset missing or a single CPU)'} |

${report.scenarios.map(scenarioSection).join('\n\n')}

## Reading the figures

Latencies are autocannon's per-request percentiles. CPU µs/req is the server's user plus
system time (all threads) during the measured run divided by the requests answered; unlike
req/s it barely moves when other work competes for the machine, so it is the steadier of
the two comparisons on a busy machine. PostgreSQL's own CPU time is not in it. Peak RSS is
the server's VmHWM after its measured runs. Figures from one machine only compare servers
measured together.
`;
  writeFileSync(file, text);
  return file.pathname;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

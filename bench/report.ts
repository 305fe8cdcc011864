import { mkdirSync, writeFileSync } from 'node:fs';
import type { RunResult } from './load.js';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import type { Scenario, Targets } from './scenarios.js';
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

/** Two servers of a scenario compared: every ratio divides the tested by the baseline. */
export interface ComparisonReport {
  /** e.g. `lean/Fastify`. */
  label: string;
  /** Median req/s ratio. */
  throughputRatio: number;
  /** Median server CPU per request ratio. */
  cpuCostRatio: number;
  /** Median p99 latency ratio. */
  p99Ratio: number;
  targets: Targets;
  /** Whether each target set was met; absent where no target is set. */
  throughputMet?: boolean;
  p99Met?: boolean;
}

/** The figures of one scenario: Wharf and the bare servers on one endpoint. */
export interface ScenarioReport {
  name: string;
  description: string;
  method: string;
  path: string;
  servers: ServerSummary[];
  comparisons: ComparisonReport[];
  /** The long runs, one per server that has one; empty when skipped or not a database scenario. */
  sustained: SustainedResult[];
}

/** Start-up of one server: spawn to first 200, and memory once idle. */
export interface StartupReport {
  server: string;
  /** Milliseconds from spawn to the first answered request, one per start. */
  startMs: number[];
  medianStartMs: number;
  /** Resident set size a moment after the first answer, median of the starts, in bytes. */
  idleRssBytes: number;
}

/** One in-process measurement (messaging, scheduler). */
export interface InProcessResult {
  name: string;
  value: number;
  unit: string;
  detail: string;
}

export interface BenchReport {
  machine: Machine;
  options: Omit<BenchOptions, 'databaseUrl' | 'amqpUrl'> & { pinned: boolean };
  /** The PostgreSQL server of the database scenario (password hidden), or null. */
  database: { url: string; version: string } | null;
  scenarios: ScenarioReport[];
  /** Empty when skipped. */
  startup: StartupReport[];
  /** Empty when skipped. */
  inProcess: InProcessResult[];
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

/** Summaries of a scenario's servers and the ratios of its comparisons. */
export function scenarioReport(
  scenario: Scenario,
  servers: ServerSummary[],
  sustained: SustainedResult[],
): ScenarioReport {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const comparisons = scenario.comparisons.map((c): ComparisonReport => {
    const tested = byName.get(c.tested);
    const baseline = byName.get(c.baseline);
    const ratio = (key: 'medianReqPerSec' | 'medianCpuUsPerRequest' | 'medianP99Ms') =>
      (tested?.[key] ?? Number.NaN) / (baseline?.[key] ?? Number.NaN);
    const targets = c.targets ?? {};
    const report: ComparisonReport = {
      label: c.label,
      throughputRatio: ratio('medianReqPerSec'),
      cpuCostRatio: ratio('medianCpuUsPerRequest'),
      p99Ratio: ratio('medianP99Ms'),
      targets,
    };
    if (targets.minThroughput !== undefined) {
      report.throughputMet = report.throughputRatio >= targets.minThroughput;
    }
    if (targets.maxP99 !== undefined) report.p99Met = report.p99Ratio <= targets.maxP99;
    return report;
  });
  return {
    name: scenario.name,
    description: scenario.description,
    method: scenario.request.method,
    path: scenario.request.path,
    servers,
    comparisons,
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

function verdict(met: boolean | undefined, bound: string): string {
  return met === undefined ? '' : ` (target ${bound}: ${met ? 'PASS' : 'MISS'})`;
}

/** One line per comparison: req/s, CPU and p99 ratios, each target next to its ratio. */
function ratioLines(scenario: ScenarioReport, bold: boolean): string[] {
  const b = bold ? '**' : '';
  return scenario.comparisons.map((c) => {
    const { minThroughput, maxP99 } = c.targets;
    return (
      `${b}${c.label}${b}: req/s ${b}${c.throughputRatio.toFixed(2)}${b}` +
      verdict(c.throughputMet, `≥ ${minThroughput}`) +
      `, CPU/request ${c.cpuCostRatio.toFixed(2)}` +
      `, p99 ${c.p99Ratio.toFixed(2)}` +
      verdict(c.p99Met, `≤ ${maxP99}`)
    );
  });
}

const STARTUP_HEADER = ['server', 'start to first 200 ms (median)', 'per start', 'idle RSS MiB'];

function startupRows(report: BenchReport): string[][] {
  return report.startup.map((s) => [
    s.server,
    Math.round(s.medianStartMs).toString(),
    s.startMs.map((ms) => Math.round(ms)).join(', '),
    mib(s.idleRssBytes),
  ]);
}

const IN_PROCESS_HEADER = ['measurement', 'value', 'unit', 'how'];

function inProcessRows(report: BenchReport): string[][] {
  return report.inProcess.map((r) => [
    r.name,
    r.value >= 100 ? Math.round(r.value).toString() : r.value.toFixed(2),
    r.unit,
    r.detail,
  ]);
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
    const lines = [
      `${scenario.method} ${scenario.path} (${scenario.name})`,
      ...padded(HEADER, rows(scenario)),
    ];
    lines.push('', ...ratioLines(scenario, false));
    if (scenario.sustained.length > 0) {
      const seconds = scenario.sustained[0]?.seconds ?? 0;
      lines.push('', `Sustained ${seconds} s run per server:`);
      lines.push(...padded(SUSTAINED_HEADER, sustainedRows(scenario)));
    }
    return lines.join('\n');
  });
  if (report.startup.length > 0) {
    blocks.push(['Start-up', ...padded(STARTUP_HEADER, startupRows(report))].join('\n'));
  }
  if (report.inProcess.length > 0) {
    blocks.push(['In process', ...padded(IN_PROCESS_HEADER, inProcessRows(report))].join('\n'));
  }
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
    `## ${scenario.method} ${scenario.path} (${scenario.name})`,
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

function startupSection(report: BenchReport): string {
  if (report.startup.length === 0) return '';
  return `\n\n## Start-up (cities)

Each server is spawned ${report.startup[0]?.startMs.length ?? 0} times (tsx, source condition, as in the runs above) and polled every
few milliseconds until it answers 200; idle RSS is read a moment after that first answer.

${markdownTable(STARTUP_HEADER, startupRows(report))}`;
}

function inProcessSection(report: BenchReport): string {
  if (report.inProcess.length === 0) return '';
  return `\n\n## Messaging and scheduler (in process)

Measured inside the benchmark process itself (not pinned apart from the load CPU).

${markdownTable(IN_PROCESS_HEADER, inProcessRows(report))}`;
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

Each scenario measures one endpoint on Wharf in two profiles, "lean" (envelope and
validation; access log, tracing, metrics, security headers and load shedding off) and
"full" (production defaults: access log written to /dev/null, metrics, security headers
and load shedding on, plus every request traced and exported in batches as JSON lines to
/dev/null), and the same route and JSON on bare Fastify and on bare node:http,
except the tracing scenario, which measures Wharf tracing every request against Wharf with
tracing off. The targets are the specification's: lean at least 0.95× Fastify's req/s on
every endpoint; full at least 0.85× on /hello and 0.90× on the database read, its p99 at
most 1.2× Fastify's. Each server runs in its own process; ${loadSentence(report)} The
fan-out scenario's two upstreams are bare Fastify processes shared by all servers and not
pinned to a CPU.

| | |
| --- | --- |
| Date | ${machine.date} |
| Node.js | ${machine.node} |
| Machine | ${machine.cpuModel}, ${machine.cpuCount} CPUs, ${machine.os} |
| Load average at start | ${machine.loadAverage} (1 min) |
| Versions | ${versions} |
| Database | ${database} |
| Load | ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s measured, ${options.runs} runs per server, the order of servers rotating |
| CPU pinning | ${options.pinned ? 'server on CPU 0, load generator on CPU 1 (taskset)' : 'none (taskset missing or a single CPU)'} |

${report.scenarios.map(scenarioSection).join('\n\n')}${startupSection(report)}${inProcessSection(report)}

## Reading the figures

Latencies are ${options.loadGenerator}'s per-request percentiles. CPU µs/req is the server's user plus
system time (all threads) during the measured run divided by the requests answered; unlike
req/s it barely moves when other work competes for the machine, so it is the steadier of
the two comparisons on a busy machine. PostgreSQL's own CPU time is not in it. Peak RSS is
the server's VmHWM after its measured runs. Figures from one machine only compare servers
measured together.

Where Wharf's time goes, what was changed because of it and what is left is written up by
hand in [ANALYSIS.md](ANALYSIS.md); runs do not touch it.
`;
  writeFileSync(file, text);
  return file.pathname;
}

/** Which program made the figures: the page must not credit the wrong one. */
function loadSentence(report: BenchReport): string {
  const { loadGenerator, connections } = report.options;
  if (loadGenerator === 'autocannon') return 'autocannon generates the load from another.';
  const sustained = report.scenarios.some((s) => s.sustained.length > 0)
    ? '; the sustained runs use autocannon, for its per-second counts'
    : '';
  return (
    `wrk (1 thread, ${connections} connections) generates the load from another` +
    ' (autocannon, a Node.js load generator on one core, would cap the fastest servers near' +
    ` 30k req/s)${sustained}.`
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

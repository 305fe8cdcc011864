import autocannon, { type Result } from 'autocannon';
import type { LoadGenerator } from './options.js';
import type { RequestSpec, Scenario } from './scenarios.js';
import type { ServerProcess } from './server-process.js';
import { runWrk, wrkProblems } from './wrk.js';

/** The figures of one measured run against one server. */
export interface RunResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Server CPU time (user + system, all threads) per answered request, in microseconds. */
  cpuUsPerRequest: number;
}

export interface LoadOptions {
  /** The request every connection sends, again and again. */
  request: RequestSpec;
  connections: number;
  duration: number;
  /** What sends the load of measured runs and warm-ups; sustained runs always use autocannon. */
  generator: LoadGenerator;
}

/** autocannon's options for `options` against `server`. */
export function cannonOptions(server: ServerProcess, options: LoadOptions) {
  const { method, path, headers, body } = options.request;
  return {
    url: `${server.baseUrl}${path}`,
    method,
    ...(headers ? { headers: { ...headers } } : {}),
    ...(body !== undefined ? { body } : {}),
    connections: options.connections,
    duration: options.duration,
  };
}

/** Load the server without keeping the figures, so JIT and caches are warm when measuring. */
export async function warmUp(server: ServerProcess, options: LoadOptions): Promise<void> {
  if (options.duration > 0) await measure(server, options);
}

/** One run of the chosen load generator and the server CPU it cost. */
export async function measure(server: ServerProcess, options: LoadOptions): Promise<RunResult> {
  const cpuBefore = server.cpuTimeMs();
  const load = options.generator === 'wrk' ? wrkRun : cannonRun;
  const figures = await load(server, options);
  const cpuMs = server.cpuTimeMs() - cpuBefore;
  const { requests } = figures;
  return { ...figures, cpuUsPerRequest: requests > 0 ? (cpuMs * 1000) / requests : 0 };
}

type LoadFigures = Omit<RunResult, 'cpuUsPerRequest'>;

async function cannonRun(server: ServerProcess, options: LoadOptions): Promise<LoadFigures> {
  const result = await autocannon(cannonOptions(server, options));
  assertClean(server, result);
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}

async function wrkRun(server: ServerProcess, options: LoadOptions): Promise<LoadFigures> {
  const { request, connections, duration } = options;
  const result = await runWrk(`${server.baseUrl}${request.path}`, request, connections, duration);
  const problems = wrkProblems(result);
  if (problems) throw new Error(`${server.name}: ${problems}`);
  return {
    reqPerSec: result.reqPerSec,
    p50Ms: microsToMs(result.p50Us),
    p99Ms: microsToMs(result.p99Us),
    requests: result.requests,
  };
}

/** wrk counts microseconds; the report shows milliseconds, to the hundredth. */
function microsToMs(us: number): number {
  return Math.round(us / 10) / 100;
}

/** A run with any error, timeout or non-2xx answer is refused, not averaged in. */
export function assertClean(server: ServerProcess, result: Result): void {
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `${server.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  }
}

/** Fail before measuring when a server does not answer the scenario's JSON. */
export async function checkBody(server: ServerProcess, scenario: Scenario): Promise<void> {
  const { method, path, headers, body: sent } = scenario.request;
  const res = await fetch(`${server.baseUrl}${path}`, { method, headers, body: sent });
  const body = await res.text();
  const expected = scenario.expectedBody;
  const matches = typeof expected === 'string' ? body === expected : expected.test(body);
  if (res.status !== scenario.expectedStatus || !matches) {
    throw new Error(
      `${server.name} answered ${res.status} ${body}\n  expected ${scenario.expectedStatus} ${expected}`,
    );
  }
}

import autocannon from 'autocannon';
import { assertClean, cannonOptions, type LoadOptions } from './load.js';
import type { ServerProcess } from './server-process.js';

/** One long run: does the rate hold, or fall as the run goes on? */
export interface SustainedResult {
  server: string;
  seconds: number;
  /**
   * Requests answered in each second of the run (objects rather than bare numbers keep
   * the JSON file in the layout the formatter expects).
   */
  perSecond: { second: number; requests: number }[];
  /** Mean req/s over the first and the last ten seconds. */
  first10: number;
  last10: number;
  p99Ms: number;
  /** The server's peak RSS at the end of the run, in bytes. */
  peakRssBytes: number;
}

const WINDOW = 10;

/** Load `server` for `options.duration` seconds, counting the answers of every second. */
export async function sustainedRun(
  server: ServerProcess,
  options: LoadOptions,
): Promise<SustainedResult> {
  const counts: number[] = [];
  const run = autocannon(cannonOptions(server, options));
  run.on('tick', ({ counter }) => counts.push(counter));
  const result = await run;
  assertClean(server, result);
  // A partial last second may be reported as the run ends; keep whole seconds only.
  counts.splice(options.duration);
  return {
    server: server.name,
    seconds: counts.length,
    perSecond: counts.map((requests, i) => ({ second: i + 1, requests })),
    first10: mean(counts.slice(0, WINDOW)),
    last10: mean(counts.slice(-WINDOW)),
    p99Ms: result.latency.p99,
    peakRssBytes: server.peakRss(),
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

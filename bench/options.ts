import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Seconds of measured load per run. */
  duration: number;
  /** Seconds of unmeasured load before each run. */
  warmup: number;
  connections: number;
  /** Runs per server; servers alternate so drift hits both alike. */
  runs: number;
}

const DEFAULTS: BenchOptions = { duration: 10, warmup: 3, connections: 64, runs: 3 };

export const USAGE = `npm run bench -- [--duration S] [--warmup S] [--connections N] [--runs N]
  defaults: --duration ${DEFAULTS.duration} --warmup ${DEFAULTS.warmup} --connections ${DEFAULTS.connections} --runs ${DEFAULTS.runs}
  quick:    npm run bench -- --duration 2 --warmup 1 --runs 1`;

/** Read the benchmark settings from the command line; unknown flags are an error. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      runs: { type: 'string' },
    },
  });
  return {
    duration: positive('duration', values.duration, DEFAULTS.duration),
    warmup: positive('warmup', values.warmup, DEFAULTS.warmup, 0),
    connections: positive('connections', values.connections, DEFAULTS.connections),
    runs: positive('runs', values.runs, DEFAULTS.runs),
  };
}

function positive(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"\n${USAGE}`);
  }
  return value;
}

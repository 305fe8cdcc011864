import { parseArgs } from 'node:util';
import { wrkAvailable } from './wrk.js';

/** Where the database scenario runs unless DATABASE_URL or --database-url says otherwise. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/wharf_test';

/** What loads the servers in measured runs and warm-ups. */
export type LoadGenerator = 'wrk' | 'autocannon';

const LOAD_GENERATORS: readonly LoadGenerator[] = ['wrk', 'autocannon'];

export interface BenchOptions {
  /** Seconds of measured load per run. */
  duration: number;
  /** Seconds of unmeasured load before each run. */
  warmup: number;
  connections: number;
  /**
   * wrk by default when installed: autocannon, in Node on one core, tops out near 30k req/s
   * and would cap the fastest servers, hiding their differences.
   */
  loadGenerator: LoadGenerator;
  /** Runs per server; servers alternate so drift hits both alike. */
  runs: number;
  /** Seconds of the one long run per database endpoint; 0 skips it. */
  sustained: number;
  /** PostgreSQL server of the database scenario; empty skips that scenario. */
  databaseUrl: string;
  /** Whether start-up time and idle RSS are measured. */
  startup: boolean;
  /** Whether the in-process messaging and scheduler measurements run. */
  inProcess: boolean;
  /** RabbitMQ for the messaging measurement; empty measures the in-memory broker only. */
  amqpUrl: string;
  /**
   * Where latest.json and RESULTS.md go; empty: bench/results/latest.json and
   * bench/RESULTS.md (the published page).
   */
  out: string;
}

const DEFAULTS = { duration: 10, warmup: 3, connections: 64, runs: 3, sustained: 60 };

export const USAGE = `npm run bench -- [--duration S] [--warmup S] [--connections N] [--runs N]
                     [--load-generator wrk|autocannon]
                     [--sustained S | --no-sustained] [--database-url URL | --no-db]
                     [--no-startup] [--no-in-process] [--out DIR]
  defaults: --duration ${DEFAULTS.duration} --warmup ${DEFAULTS.warmup} --connections ${DEFAULTS.connections} --runs ${DEFAULTS.runs} --sustained ${DEFAULTS.sustained}
            --load-generator wrk when installed (apt-get install wrk), else autocannon;
            sustained runs always use autocannon
            --database-url $DATABASE_URL, else ${DEFAULT_DATABASE_URL}
            messaging on RabbitMQ too when AMQP_URL is set
  quick:    npm run bench -- --duration 2 --warmup 1 --runs 1 --no-sustained --out bench/results/quick`;

/** Read the benchmark settings from the command line; unknown flags are an error. */
export function parseOptions(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  hasWrk: () => boolean = wrkAvailable,
): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      runs: { type: 'string' },
      'load-generator': { type: 'string' },
      sustained: { type: 'string' },
      'no-sustained': { type: 'boolean' },
      'database-url': { type: 'string' },
      'no-db': { type: 'boolean' },
      'no-startup': { type: 'boolean' },
      'no-in-process': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const databaseUrl = values['database-url'] ?? (env.DATABASE_URL || DEFAULT_DATABASE_URL);
  return {
    duration: positive('duration', values.duration, DEFAULTS.duration),
    warmup: positive('warmup', values.warmup, DEFAULTS.warmup, 0),
    connections: positive('connections', values.connections, DEFAULTS.connections),
    runs: positive('runs', values.runs, DEFAULTS.runs),
    loadGenerator: loadGenerator(values['load-generator'], hasWrk),
    // The first and last ten seconds are compared, so a shorter run would compare overlaps.
    sustained: values['no-sustained']
      ? 0
      : positive('sustained', values.sustained, DEFAULTS.sustained, 20),
    databaseUrl: values['no-db'] ? '' : databaseUrl,
    startup: !values['no-startup'],
    inProcess: !values['no-in-process'],
    amqpUrl: env.AMQP_URL ?? '',
    out: values.out ?? '',
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

function loadGenerator(raw: string | undefined, hasWrk: () => boolean): LoadGenerator {
  if (raw === undefined) return hasWrk() ? 'wrk' : 'autocannon';
  const chosen = LOAD_GENERATORS.find((name) => name === raw);
  if (!chosen) {
    throw new Error(`--load-generator must be wrk or autocannon, got "${raw}"\n${USAGE}`);
  }
  if (chosen === 'wrk' && !hasWrk()) {
    throw new Error('--load-generator wrk: wrk is not installed (apt-get install wrk)');
  }
  return chosen;
}

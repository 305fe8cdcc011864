import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { reportWorkerReady, runWorkers } from '../../app/cluster.js';
import { type AppRole, runApp } from '../../app/run.js';
import type { CoreConfig } from '../../config/schema.js';
import { createLogger } from '../../log/index.js';
import {
  type CliContext,
  type Command,
  ExitCode,
  parseCommandLine,
  table,
  UsageError,
} from '../command.js';
import { ENTRY_HELP, entryPath, loadApp } from '../entry.js';

const NAME = 'wharf start';

const OPTIONS = {
  api: { type: 'boolean' },
  schedule: { type: 'boolean' },
  consume: { type: 'boolean' },
  workers: { type: 'string' },
  entry: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = [
  `Usage: ${NAME} [--api] [--schedule] [--consume] [--workers <n|auto>] [--entry <path>]`,
  '',
  'Runs the app the entry module exports (defineApp({ service, scheduler, consumers }))',
  'in the roles the flags name; with none, --api. One build thus deploys as API replicas,',
  'a scheduler and consumers.',
  '',
  'Options:',
  ...table([
    ['--api', 'Serve HTTP on http.host:http.port'],
    ['--schedule', "Run the app's scheduled jobs (with a database, one process runs each tick)"],
    ['--consume', "Run the app's message consumers"],
    ['--workers <n|auto>', 'Run n processes sharing the port (auto: one per CPU)'],
    ENTRY_HELP,
    ['-h, --help', 'Show this help'],
  ]),
  '',
  'SIGTERM or SIGINT stops gracefully within shutdown.graceMs: exit code 0, or 1 when a',
  'stop step failed or took too long. With --workers the primary replaces a worker that',
  'dies (after a growing delay; it gives up after 5 deaths in a minute), forwards SIGTERM',
  'to every worker and exits once all have stopped.',
];

/** `wharf start`: run the service's app in one or more roles, in one or several processes. */
export const startCommand: Command = {
  name: 'start',
  summary: 'Run the service: its API, scheduled jobs and/or consumers',
  async run(args, ctx) {
    const { values } = parseCommandLine(NAME, args, OPTIONS, 0);
    if (values.help) {
      for (const line of HELP) ctx.out(line);
      return ExitCode.ok;
    }
    const workers = values.workers === undefined ? undefined : workerCount(values.workers);
    const roles = rolesOf(values);
    const entry = entryPath(ctx, values.entry);
    if (workers !== undefined && cluster.isPrimary) return runPrimary(workers, roles, ctx);
    return runProcess(entry, roles, ctx);
  },
};

function rolesOf(values: { api?: boolean; schedule?: boolean; consume?: boolean }): AppRole[] {
  const roles: AppRole[] = [];
  if (values.api) roles.push('api');
  if (values.schedule) roles.push('schedule');
  if (values.consume) roles.push('consume');
  return roles.length === 0 ? ['api'] : roles;
}

function workerCount(raw: string): number {
  if (raw === 'auto') return availableParallelism();
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(NAME, `--workers must be a positive integer or "auto", got "${raw}"`);
  }
  return Number(raw);
}

/** One process running the app: alone, or as a worker of `runPrimary`. */
async function runProcess(entry: string, roles: AppRole[], ctx: CliContext): Promise<number> {
  const worker = cluster.isWorker;
  // A terminal's Ctrl+C reaches every process of the group; in a worker the primary's
  // forwarded SIGTERM is the one that counts, so SIGINT must not end it at once.
  if (worker) process.on('SIGINT', () => {});
  // runService handles signals once the app is loaded; until then nothing has started,
  // and a SIGTERM (a worker drained during its start) just ends the process.
  const early = () => process.exit(ExitCode.ok);
  process.once('SIGTERM', early);
  const app = await loadApp(entry, ctx).finally(() => process.off('SIGTERM', early));
  const running = await runApp(app, { roles, signals: worker ? ['SIGTERM'] : undefined });
  const { service } = running;
  service.log.info({ roles, pid: process.pid }, `${service.name} running as ${roles.join(', ')}`);
  const { delayMs, graceMs } = service.config.shutdown;
  reportWorkerReady(delayMs + graceMs);
  return running.exited;
}

async function runPrimary(count: number, roles: AppRole[], ctx: CliContext): Promise<number> {
  const log = createLogger({ name: 'wharf', level: logLevel(ctx) });
  log.info(
    { workers: count, roles, pid: process.pid },
    `starting ${count} worker${count === 1 ? '' : 's'} (${roles.join(', ')})`,
  );
  const code = await runWorkers({ count, log });
  // The logger writes asynchronously; let its last lines out before the process ends.
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  return code;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The primary loads no configuration (the app's schema lives in the workers): just the level. */
function logLevel(ctx: CliContext): CoreConfig['log']['level'] {
  const wanted = ctx.env.WHARF_LOG_LEVEL || ctx.env.LOG_LEVEL;
  return LEVELS.find((level) => level === wanted) ?? 'info';
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Command, ExitCode, parseCommandLine, table, UsageError } from '../command.js';
import { ENTRY_HELP, entryPath } from '../entry.js';

const NAME = 'wharf dev';

const OPTIONS = {
  api: { type: 'boolean' },
  schedule: { type: 'boolean' },
  consume: { type: 'boolean' },
  entry: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = [
  `Usage: ${NAME} [--api] [--schedule] [--consume] [--entry <path>]`,
  '',
  'Runs "wharf start" with the same flags under Node\'s watch mode: whenever a module it',
  'loaded changes (the entry and everything it imports), the process gets SIGTERM, shuts',
  'down gracefully and starts again. Restart by hand after changing .env or the config',
  'module named by WHARF_CONFIG. For development only: deploy with "wharf start".',
  '',
  'Options:',
  ...table([
    ['--api', 'Serve HTTP (the default when no role is given)'],
    ['--schedule', "Run the app's scheduled jobs"],
    ['--consume', "Run the app's message consumers"],
    ENTRY_HELP,
    ['-h, --help', 'Show this help'],
  ]),
];

const BIN = fileURLToPath(new URL('../../../bin/wharf.js', import.meta.url));

/** `wharf dev`: `wharf start` under `node --watch`. */
export const devCommand: Command = {
  name: 'dev',
  summary: 'Run the service and restart it when its code changes',
  async run(args, ctx) {
    if (args.includes('--workers') || args.some((arg) => arg.startsWith('--workers='))) {
      throw new UsageError(NAME, '--workers does not apply: dev runs one process');
    }
    const { values } = parseCommandLine(NAME, args, OPTIONS, 0);
    if (values.help) {
      for (const line of HELP) ctx.out(line);
      return ExitCode.ok;
    }
    entryPath(ctx, values.entry);
    // Node's watch mode follows every module the child loads, those compiled by tsx too.
    const child = spawn(
      process.execPath,
      ['--watch', '--watch-preserve-output', BIN, 'start', ...args],
      { cwd: ctx.cwd, env: { ...ctx.env }, stdio: 'inherit' },
    );
    // Ctrl+C reaches the watcher directly (same process group); SIGTERM may reach only us.
    const forward = () => child.kill('SIGTERM');
    const ignore = () => {};
    process.on('SIGTERM', forward);
    process.on('SIGINT', ignore);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? ExitCode.failure));
      });
    } finally {
      process.off('SIGTERM', forward);
      process.off('SIGINT', ignore);
    }
  },
};

import { ConfigError, MigrationError, ServiceError } from '../errors/index.js';
import {
  type CliContext,
  type Command,
  CommandError,
  ExitCode,
  table,
  UsageError,
} from './command.js';
import { devCommand } from './commands/dev.js';
import { migrateCommand } from './commands/migrate.js';
import { newCommand } from './commands/new.js';
import { openapiCommand } from './commands/openapi.js';
import { routesCommand } from './commands/routes.js';
import { startCommand } from './commands/start.js';

/** Every `wharf` command, in the order `wharf --help` lists them. */
export const commands: readonly Command[] = [
  newCommand,
  startCommand,
  devCommand,
  routesCommand,
  openapiCommand,
  migrateCommand,
];

function topHelp(): string[] {
  return [
    'Usage: wharf <command> [options]',
    '',
    'Commands:',
    ...table(commands.map((command) => [command.name, command.summary])),
    '',
    'Run "wharf <command> --help" for the options of a command.',
  ];
}

/**
 * Run `wharf` with `argv` (the words after `wharf`) and resolve to the exit code: 0 done,
 * 1 failed, 2 wrong usage. Errors are printed, never thrown.
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      for (const line of topHelp()) ctx.out(line);
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    const command = commands.find((candidate) => candidate.name === name);
    if (!command) {
      const kind = name.startsWith('-') ? 'option' : 'command';
      throw new UsageError('wharf', `unknown ${kind} "${name}"`);
    }
    return await command.run(rest, ctx);
  } catch (error) {
    return report(error, ctx, name);
  }
}

function report(error: unknown, ctx: CliContext, name: string | undefined): number {
  if (error instanceof UsageError) {
    ctx.err(`${error.command}: ${error.message} (see "${error.command} --help")`);
    return ExitCode.usage;
  }
  const prefix = name === undefined ? 'wharf' : `wharf ${name}`;
  if (
    error instanceof MigrationError ||
    error instanceof ConfigError ||
    error instanceof CommandError
  ) {
    ctx.err(`${prefix}: ${error.message}`);
    return ExitCode.failure;
  }
  if (error instanceof ServiceError) {
    // Wharf's database errors: say what happened and why, without a stack.
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    ctx.err(`${prefix}: ${error.message}${cause}`);
    return ExitCode.failure;
  }
  ctx.err(`${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.failure;
}

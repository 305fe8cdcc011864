import { type ParseArgsConfig, parseArgs } from 'node:util';
import { messageOf } from '../errors/index.js';

/** Exit codes of every `wharf` command. */
export const ExitCode = {
  ok: 0,
  /** The command ran and failed (a migration failed, bad configuration …). */
  failure: 1,
  /** The command line itself is wrong. */
  usage: 2,
} as const;

/** What a command may touch of the outside world; tests pass their own. */
export interface CliContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Write a line to standard output. */
  out(line: string): void;
  /** Write a line to standard error. */
  err(line: string): void;
}

/** One `wharf <name>` command; each lives in its own file under `commands/`. */
export interface Command {
  readonly name: string;
  /** One line for `wharf --help`. */
  readonly summary: string;
  /** `args` are the words after the command name; resolves to the exit code. */
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

/** A wrong command line: reported as one line with a pointer to the help, exit code 2. */
export class UsageError extends Error {
  /** The command whose `--help` explains the right usage, e.g. `wharf migrate up`. */
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** The command could not do its work; its message is printed as it is, exit code 1. */
export class CommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

type ParsedCommandLine<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * `parseArgs` in strict mode, its errors turned into short UsageErrors
 * (`unknown option --x`) instead of Node's long explanations.
 */
export function parseCommandLine<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
  maxPositionals: number,
): ParsedCommandLine<O> {
  let parsed: ParsedCommandLine<O>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(command, describeParseError(error));
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw new UsageError(command, `unexpected argument "${extra}"`);
  return parsed;
}

function describeParseError(error: unknown): string {
  const message = messageOf(error);
  const code = (error as { code?: unknown }).code;
  // Node names an option with a short alias as '-o, --out <value>': report the long name.
  const option = /'(?:-[^-'\s], )?(-[^'\s]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message)
      ? `option ${option} needs a value`
      : `option ${option} takes no value`;
  }
  return message.split('\n', 1)[0] ?? message;
}

/** The help text's alignment: `  name   description`. */
export function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

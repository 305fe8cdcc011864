import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../config/index.js';
import type { DbConfig } from '../../db/index.js';
import {
  generateMigration,
  type MigrationStatus,
  migrate,
  migrationStatus,
  readMigrations,
  rollback,
  SNAPSHOT_DIR,
} from '../../db/migrate/index.js';
import { MigrateSettingsSchema } from '../../db/migrate/settings.js';
import {
  type CliContext,
  type Command,
  CommandError,
  ExitCode,
  parseCommandLine,
  table,
  UsageError,
} from '../command.js';
import { withDatabase } from '../database.js';

const NAME = 'wharf migrate';

const COMMON_OPTIONS = {
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DATABASE_NOTE =
  "The database is the service's: db.url (DATABASE_URL or WHARF_DB_URL), else embedded PGlite in db.dataDir (WHARF_DB_DATA_DIR).";
const DIR_LINE: [string, string] = [
  '--dir <path>',
  'Migrations folder (default: the migrate.dir setting, "migrations")',
];
const HELP_LINE: [string, string] = ['-h, --help', 'Show this help'];

/** What `wharf migrate <sub>` needs from the configuration. */
interface Settings {
  dir: string;
  models: string;
  db: DbConfig;
}

interface Subcommand {
  readonly usage: string;
  readonly summary: string;
  readonly help: string[];
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

const subcommands: Record<string, Subcommand> = {
  generate: {
    usage: 'generate <name>',
    summary: 'Write the next migration from what changed in the models since the last one',
    help: [
      `Usage: ${NAME} generate <name> [--models <path>] [--dir <path>]`,
      '',
      'Compares the Drizzle tables exported by the models module with the snapshot of the',
      `last generated migration (<dir>/${SNAPSHOT_DIR}/) and writes NNNN_<name>.sql with the SQL`,
      'between them, a down section reversing it, and a new snapshot. Writes nothing when',
      'nothing changed.',
      '',
      'Options:',
      ...table([
        ['--models <path>', 'Module exporting the tables (default: the migrate.models setting)'],
        DIR_LINE,
        HELP_LINE,
      ]),
    ],
    run: generate,
  },
  up: {
    usage: 'up',
    summary: 'Apply every pending migration, each in its own transaction',
    help: [
      `Usage: ${NAME} up [--to <version>] [--dir <path>]`,
      '',
      'Applies the pending migrations oldest first. Safe to run from several processes at once.',
      '',
      'Options:',
      ...table([['--to <version>', 'Apply up to this version only'], DIR_LINE, HELP_LINE]),
      '',
      DATABASE_NOTE,
    ],
    run: up,
  },
  down: {
    usage: 'down [n]',
    summary: 'Roll back the last n applied migrations (1 unless given)',
    help: [
      `Usage: ${NAME} down [n] [--dir <path>]`,
      '',
      'Runs the down section (after "-- migrate:down") of the last n applied migrations,',
      'newest first. Refuses when one of them has no down section.',
      '',
      'Options:',
      ...table([DIR_LINE, HELP_LINE]),
      '',
      DATABASE_NOTE,
    ],
    run: down,
  },
  status: {
    usage: 'status',
    summary: 'List the migrations and whether each is applied',
    help: [
      `Usage: ${NAME} status [--dir <path>]`,
      '',
      'Options:',
      ...table([DIR_LINE, HELP_LINE]),
      '',
      DATABASE_NOTE,
    ],
    run: status,
  },
};

function migrateHelp(): string[] {
  return [
    `Usage: ${NAME} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...table(Object.values(subcommands).map((sub) => [sub.usage, sub.summary])),
    '',
    `Run "${NAME} <subcommand> --help" for its options.`,
  ];
}

/** `wharf migrate generate|up|down|status`. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Generate, apply, roll back and list database migrations',
  async run(args, ctx) {
    const [name, ...rest] = args;
    if (name === '--help' || name === '-h') {
      for (const line of migrateHelp()) ctx.out(line);
      return ExitCode.ok;
    }
    if (name === undefined) {
      throw new UsageError(NAME, 'missing subcommand: generate, up, down or status');
    }
    const sub = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
    if (!sub) {
      const kind = name.startsWith('-') ? 'option' : 'subcommand';
      throw new UsageError(
        NAME,
        `unknown ${kind} "${name}"; expected generate, up, down or status`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      for (const line of sub.help) ctx.out(line);
      return ExitCode.ok;
    }
    return sub.run(rest, ctx);
  },
};

async function generate(args: readonly string[], ctx: CliContext): Promise<number> {
  const command = `${NAME} generate`;
  const { values, positionals } = parseCommandLine(
    command,
    args,
    { ...COMMON_OPTIONS, models: { type: 'string' } },
    1,
  );
  const [name] = positionals;
  if (name === undefined) throw new UsageError(command, 'missing the migration name');
  const settings = await loadSettings(ctx, values.dir, values.models);
  if (!settings.models) {
    throw new UsageError(command, 'no models module: pass --models <path> or set migrate.models');
  }
  const models = await importModels(resolve(ctx.cwd, settings.models));
  const dir = resolve(ctx.cwd, settings.dir);
  const generated = await generateMigration({ dir, name, models });
  if (!generated) {
    ctx.out(`No changes in ${settings.models} since the last migration; nothing written.`);
    return ExitCode.ok;
  }
  const count = generated.statements.length;
  ctx.out(
    `Created ${relative(ctx.cwd, generated.path)} (${count} statement${count === 1 ? '' : 's'}); review it, then run "${NAME} up".`,
  );
  return ExitCode.ok;
}

async function up(args: readonly string[], ctx: CliContext): Promise<number> {
  const command = `${NAME} up`;
  const { values } = parseCommandLine(
    command,
    args,
    { ...COMMON_OPTIONS, to: { type: 'string' } },
    0,
  );
  const to = values.to === undefined ? undefined : positiveInteger(command, '--to', values.to);
  const settings = await loadSettings(ctx, values.dir);
  const dir = await migrationsFolder(ctx, settings);
  const result = await withDatabase(settings.db, ctx.cwd, (db) =>
    migrate(db, { dir, to, onApplied: (m) => ctx.out(`Applied ${m.file}`) }),
  );
  const count = result.applied.length;
  ctx.out(
    count === 0
      ? 'Nothing to apply: the database is up to date.'
      : `Applied ${count} migration${count === 1 ? '' : 's'}.`,
  );
  return ExitCode.ok;
}

async function down(args: readonly string[], ctx: CliContext): Promise<number> {
  const command = `${NAME} down`;
  const { values, positionals } = parseCommandLine(command, args, COMMON_OPTIONS, 1);
  const [raw] = positionals;
  const steps = raw === undefined ? 1 : positiveInteger(command, 'n', raw);
  const settings = await loadSettings(ctx, values.dir);
  const dir = await migrationsFolder(ctx, settings);
  const result = await withDatabase(settings.db, ctx.cwd, (db) =>
    rollback(db, { dir, steps, onRolledBack: (m) => ctx.out(`Rolled back ${m.file}`) }),
  );
  if (result.rolledBack.length === 0) ctx.out('Nothing to roll back: no migration is applied.');
  return ExitCode.ok;
}

async function status(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandLine(`${NAME} status`, args, COMMON_OPTIONS, 0);
  const settings = await loadSettings(ctx, values.dir);
  const dir = await migrationsFolder(ctx, settings);
  const entries = await withDatabase(settings.db, ctx.cwd, (db) => migrationStatus(db, { dir }));
  if (entries.length === 0) {
    ctx.out(`No migrations in ${relative(ctx.cwd, dir) || '.'}.`);
    return ExitCode.ok;
  }
  for (const line of statusTable(entries)) ctx.out(line);
  return ExitCode.ok;
}

function statusTable(entries: readonly MigrationStatus[]): string[] {
  const rows = entries.map((entry) => [
    String(entry.version).padStart(4, '0'),
    entry.state,
    entry.file ?? `(no file) ${entry.name}`,
    entry.appliedAt?.toISOString() ?? '',
    entry.appliedBy ?? '',
  ]);
  const header = ['VERSION', 'STATE', 'FILE', 'APPLIED AT', 'APPLIED BY'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const render = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.state, (counts.get(entry.state) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
  return [render(header), ...rows.map(render), '', summary];
}

/** The migrations folder, read once up front so a bad file fails before the database opens. */
async function migrationsFolder(ctx: CliContext, settings: Settings): Promise<string> {
  const dir = resolve(ctx.cwd, settings.dir);
  await readMigrations(dir);
  return dir;
}

/** The configuration as a service sees it, plus the `migrate` settings; flags win. */
async function loadSettings(
  ctx: CliContext,
  dirFlag: string | undefined,
  modelsFlag?: string,
): Promise<Settings> {
  // The module may hold the application's own settings too, which this command never reads.
  const config = await loadConfig({
    schema: MigrateSettingsSchema,
    env: ctx.env,
    cwd: ctx.cwd,
    ignoreUnknownSettings: true,
  });
  return {
    dir: dirFlag ?? config.migrate.dir,
    models: modelsFlag ?? config.migrate.models,
    db: config.db,
  };
}

async function importModels(path: string): Promise<Record<string, unknown>> {
  try {
    return { ...((await import(pathToFileURL(path).href)) as Record<string, unknown>) };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new CommandError(`Cannot load the models module ${path}: ${reason}`, { cause: error });
  }
}

function positiveInteger(command: string, what: string, raw: string): number {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(command, `${what} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

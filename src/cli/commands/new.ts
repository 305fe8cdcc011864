import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type CliContext,
  type Command,
  CommandError,
  ExitCode,
  parseCommandLine,
  table,
  UsageError,
} from '../command.js';

const NAME = 'wharf new';

const OPTIONS = {
  name: { type: 'string' },
  'skip-install': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Wharf's own package: its templates, its version pins, and what `file:` points at. */
const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const TEMPLATE = join(PACKAGE_ROOT, 'templates', 'service');

/** Template files stored under another name, so no tool takes them for the repository's own. */
const RENAMED: Readonly<Record<string, string>> = {
  '_package.json': 'package.json',
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
};

const HEARTBEAT_MS = 10_000;

const HELP = [
  `Usage: ${NAME} <dir> [--name <name>] [--skip-install]`,
  '',
  'Creates a service in <dir> (which must not exist, or be empty) and installs its',
  'dependencies: a notes API with its configuration, routes, a Drizzle model and its',
  'first migration, a scheduled job, tests, a Dockerfile and a README. Then:',
  '',
  '  cd <dir> && npm test && npm run dev',
  '',
  'The service depends on this copy of Wharf through a file: path for now.',
  '',
  'Options:',
  ...table([
    ['--name <name>', 'Service name: lower-case letters, digits, dashes (default: <dir>)'],
    ['--skip-install', 'Write the files only; run "npm install" yourself'],
    ['-h, --help', 'Show this help'],
  ]),
];

/** `wharf new <dir>`: scaffold a service from templates/service. */
export const newCommand: Command = {
  name: 'new',
  summary: 'Create a new service: routes, model, migration, tests, Dockerfile',
  async run(args, ctx) {
    const { values, positionals } = parseCommandLine(NAME, args, OPTIONS, 1);
    if (values.help) {
      for (const line of HELP) ctx.out(line);
      return ExitCode.ok;
    }
    const [dir] = positionals;
    if (dir === undefined) throw new UsageError(NAME, 'missing the directory to create');
    const target = resolve(ctx.cwd, dir);
    const name = values.name ?? basename(target);
    if (!/^[a-z][a-z0-9-]*$/.test(name) || name.length > 64) {
      throw new UsageError(
        NAME,
        `service name "${name}" must be lower-case letters, digits and dashes, starting with a letter; pass --name`,
      );
    }
    if (existsSync(target)) {
      if (!statSync(target).isDirectory()) throw new CommandError(`${dir} is a file`);
      if (readdirSync(target).length > 0) {
        throw new CommandError(`${dir} already exists and is not empty`);
      }
    }
    const shown = displayPath(ctx, target);
    ctx.out(`Creating the service ${name} in ${shown}`);
    const files = await writeTemplate(target, placeholders(name));
    for (const file of files) ctx.out(`  created ${file}`);
    if (values['skip-install']) {
      for (const line of ['', 'Next:', `  cd ${shown}`, '  npm install', '  npm test']) {
        ctx.out(line);
      }
      return ExitCode.ok;
    }
    await npmInstall(target, ctx);
    for (const line of ['', 'Done. Next:', `  cd ${shown}`, '  npm test', '  npm run dev']) {
      ctx.out(line);
    }
    return ExitCode.ok;
  },
};

/** `target` relative to the working directory when inside it, else absolute. */
function displayPath(ctx: CliContext, target: string): string {
  const path = relative(ctx.cwd, target);
  return path === '' ? '.' : path.startsWith('..') || isAbsolute(path) ? target : path;
}

/**
 * `{{name}}`, `{{wharf}}` (the dependency on this copy of Wharf), `{{version:<package>}}`
 * (Wharf's own pin of a package) and `{{link:<package>}}` (a `file:` dependency on the very
 * copy Wharf uses: with Wharf linked rather than installed, npm cannot share a package
 * between the two, and TypeScript refuses to mix the types of two copies of drizzle-orm).
 */
function placeholders(name: string): (key: string) => string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const pins = { ...pkg.dependencies, ...pkg.devDependencies };
  const values: Record<string, string> = { name, wharf: `file:${PACKAGE_ROOT}` };
  return (key) => {
    const [kind, rest = ''] = key.split(':', 2);
    const value =
      kind === 'version' ? pins[rest] : kind === 'link' ? `file:${packageDir(rest)}` : values[key];
    // A template naming something Wharf does not have is Wharf's own bug.
    if (value === undefined) throw new Error(`Template placeholder {{${key}}} has no value`);
    return value;
  };
}

/**
 * Where the package `name` that Wharf itself loads is installed: the first
 * `node_modules/<name>` from Wharf's folder up, as Node looks for it.
 */
function packageDir(name: string): string {
  for (let dir = PACKAGE_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`Wharf's dependency ${name} is not installed`);
  }
}

/** Copy the template into `target`, filling in the placeholders; resolves to the files written. */
async function writeTemplate(target: string, fill: (key: string) => string): Promise<string[]> {
  const written: string[] = [];
  for (const source of await listFiles(TEMPLATE)) {
    const path = relative(TEMPLATE, source);
    const file = join(dirname(path), RENAMED[basename(path)] ?? basename(path));
    const text = (await readFile(source, 'utf8')).replace(/\{\{([^}]+)\}\}/g, (_, key: string) =>
      fill(key.trim()),
    );
    await mkdir(dirname(join(target, file)), { recursive: true });
    await writeFile(join(target, file), text);
    written.push(file);
  }
  return written;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => {
        const path = join(dir, entry.name);
        return entry.isDirectory() ? listFiles(path) : [path];
      }),
  );
  return nested.flat();
}

/** `npm install` in `dir`, its output passed through and a line every 10 s while it is quiet. */
async function npmInstall(dir: string, ctx: CliContext): Promise<void> {
  ctx.out('');
  ctx.out('Installing the dependencies (npm install); this can take a minute…');
  const started = Date.now();
  const child = spawn('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { ...ctx.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: process.platform === 'win32',
  });
  let last = Date.now();
  const relay = (write: (line: string) => void) => (line: string) => {
    last = Date.now();
    if (line.trim()) write(`  ${line}`);
  };
  createInterface({ input: child.stdout }).on('line', relay(ctx.out));
  createInterface({ input: child.stderr }).on('line', relay(ctx.err));
  const heartbeat = setInterval(() => {
    if (Date.now() - last < HEARTBEAT_MS) return;
    last = Date.now();
    ctx.out(`  … still installing (${Math.round((Date.now() - started) / 1000)} s)`);
  }, 1_000);
  try {
    const code = await new Promise<number | null>((resolvePromise, reject) => {
      child.on('error', reject);
      child.on('close', resolvePromise);
    });
    if (code !== 0) {
      throw new CommandError(
        `npm install failed (exit code ${code}) in ${displayPath(ctx, dir)}; fix the problem and run it there again`,
      );
    }
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`Cannot run npm install: ${(error as Error).message}`, { cause: error });
  } finally {
    clearInterval(heartbeat);
  }
  ctx.out(`Installed the dependencies in ${Math.round((Date.now() - started) / 1000)} s.`);
}

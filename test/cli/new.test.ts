import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runInProcess } from './helpers.js';

const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
/** npm install from the registry, then the service's own tests and type check. */
const SCAFFOLD_MS = 300_000;

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'wharf-new-'));
});

afterEach(() => rm(work, { recursive: true, force: true }));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('wharf new --skip-install', () => {
  it('writes the service with its name, and Wharf and its pins filled in', async () => {
    const { code, out, err } = await runInProcess(['new', 'billing', '--skip-install'], work);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe('Creating the service billing in billing');
    const dir = join(work, 'billing');
    const files = await filesUnder(dir);
    expect(files).toEqual(
      [
        '.dockerignore',
        '.gitignore',
        'Dockerfile',
        'README.md',
        'migrations/0001_create_notes.sql',
        'migrations/meta/0001_snapshot.json',
        'package.json',
        'src/config.ts',
        'src/errors.ts',
        'src/main.ts',
        'src/models.ts',
        'src/queries.ts',
        'src/routes.ts',
        'src/schemas.ts',
        'src/service.ts',
        'test/notes.test.ts',
        'tsconfig.json',
        'vitest.config.ts',
      ].sort(),
    );
    for (const file of files) expect(out).toContain(`  created ${file}`);
    expect(out.slice(-3)).toEqual(['  cd billing', '  npm install', '  npm test']);

    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const own = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('billing');
    expect(pkg.dependencies).toEqual({
      wharf: `file:${REPO}`,
      'drizzle-orm': `file:${join(REPO, 'node_modules', 'drizzle-orm')}`,
    });
    expect(pkg.devDependencies.vitest).toBe(own.devDependencies.vitest);
    expect(pkg.devDependencies.typescript).toBe(own.devDependencies.typescript);
    expect(await readFile(join(dir, 'src', 'service.ts'), 'utf8')).toContain("name: 'billing',");
    for (const file of files) {
      expect(await readFile(join(dir, file), 'utf8')).not.toMatch(/\{\{/);
    }
  });

  it('takes the service name from --name and writes into an existing empty folder', async () => {
    await mkdir(join(work, 'Services'));
    const { code } = await runInProcess(
      ['new', 'Services', '--name', 'orders', '--skip-install'],
      work,
    );
    expect(code).toBe(0);
    const pkg = JSON.parse(await readFile(join(work, 'Services', 'package.json'), 'utf8'));
    expect(pkg.name).toBe('orders');
  });
});

describe('wharf new errors', () => {
  it.each([
    [['new'], 'wharf new: missing the directory to create (see "wharf new --help")'],
    [
      ['new', 'My_Service'],
      'wharf new: service name "My_Service" must be lower-case letters, digits and dashes, starting with a letter; pass --name (see "wharf new --help")',
    ],
    [['new', 'a', 'b'], 'wharf new: unexpected argument "b" (see "wharf new --help")'],
    [['new', 'a', '--install'], 'wharf new: unknown option --install (see "wharf new --help")'],
  ])('answers %j with one line and exit code 2', async (args, message) => {
    expect(await runInProcess(args, work)).toEqual({ code: 2, out: [], err: [message] });
  });

  it('refuses a folder that is not empty, writing nothing', async () => {
    await mkdir(join(work, 'taken'));
    await writeFile(join(work, 'taken', 'notes.txt'), 'mine');
    const result = await runInProcess(['new', 'taken', '--skip-install'], work);
    expect(result).toEqual({
      code: 1,
      out: [],
      err: ['wharf new: taken already exists and is not empty'],
    });
    expect(await readdir(join(work, 'taken'))).toEqual(['notes.txt']);
  });

  it('explains itself with --help', async () => {
    const { code, out } = await runInProcess(['new', '--help'], work);
    expect(code).toBe(0);
    expect(out[0]).toBe('Usage: wharf new <dir> [--name <name>] [--skip-install]');
  });
});

interface Outcome {
  code: number | null;
  output: string;
}

/** The clean environment, without colours in the output the assertions read. */
function plainEnv(): Record<string, string> {
  const { FORCE_COLOR: _, ...env } = cleanEnv({ NO_COLOR: '1' });
  return env;
}

/** Run a command to its end, bounded, with its output for the failure message. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: plainEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

// Installs from the npm registry; WHARF_SKIP_SCAFFOLD_TEST=1 skips it where there is none.
describe.skipIf(process.env.WHARF_SKIP_SCAFFOLD_TEST === '1')('wharf new, installed', () => {
  it(
    'creates a service whose own tests and type check pass right after the install',
    async () => {
      const created = await run(
        process.execPath,
        [BIN, 'new', 'inventory'],
        work,
        SCAFFOLD_MS * 0.5,
      );
      expect(created.output).toContain('Installing the dependencies (npm install)');
      expect(created.output).toMatch(/Installed the dependencies in \d+ s\./);
      expect(created.code, created.output).toBe(0);

      const dir = join(work, 'inventory');
      const tested = await run('npm', ['test'], dir, SCAFFOLD_MS * 0.3);
      expect(tested.code, tested.output).toBe(0);
      expect(tested.output).toMatch(/Tests +4 passed/);

      const typed = await run('npm', ['run', 'typecheck'], dir, SCAFFOLD_MS * 0.2);
      expect(typed.code, typed.output).toBe(0);
    },
    SCAFFOLD_MS,
  );
});

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runInProcess } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SPAWN_MS = 120_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function wharf(args: string[], cwd: string, env = cleanEnv()): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'wharf-cli-'));
});

afterEach(() => rm(work, { recursive: true, force: true }));

describe('wharf (the bin)', () => {
  it(
    'answers a wrong flag with one line and exit code 2, and --help with exit code 0',
    async () => {
      const [wrong, help, unknown] = await Promise.all([
        wharf(['migrate', 'up', '--bogus'], work),
        wharf(['migrate', '--help'], work),
        wharf(['deploy'], work),
      ]);
      expect(wrong).toEqual({
        code: 2,
        stdout: '',
        stderr: 'wharf migrate up: unknown option --bogus (see "wharf migrate up --help")\n',
      });
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(/^Usage: wharf migrate <subcommand>/);
      for (const sub of ['generate <name>', 'up', 'down [n]', 'status']) {
        expect(help.stdout).toContain(`  ${sub}`);
      }
      expect(unknown).toEqual({
        code: 2,
        stdout: '',
        stderr: 'wharf: unknown command "deploy" (see "wharf --help")\n',
      });
    },
    SPAWN_MS,
  );

  it(
    'generates from a TypeScript models module, then applies, lists and rolls back on PGlite',
    async () => {
      const env = cleanEnv({ WHARF_DB_DATA_DIR: join(work, 'data') });
      const generated = await wharf(
        ['migrate', 'generate', 'create cities', '--models', fixture('cities-v1.ts')],
        work,
        env,
      );
      expect(generated.stderr).toBe('');
      expect(generated.code).toBe(0);
      expect(generated.stdout).toContain('Created migrations/0001_create_cities.sql (1 statement)');
      const sql = await readFile(join(work, 'migrations', '0001_create_cities.sql'), 'utf8');
      expect(sql).toContain('"name" varchar(80) NOT NULL');

      const up = await wharf(['migrate', 'up'], work, env);
      expect(up).toEqual({
        code: 0,
        stdout: 'Applied 0001_create_cities.sql\nApplied 1 migration.\n',
        stderr: '',
      });

      const status = await wharf(['migrate', 'status'], work, env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /^0001 +applied +0001_create_cities\.sql +\d{4}-\d\d-\d\dT\S+ +\S+@\S+$/m,
      );
      expect(status.stdout).toContain('1 applied');

      const down = await wharf(['migrate', 'down'], work, env);
      expect(down).toEqual({ code: 0, stdout: 'Rolled back 0001_create_cities.sql\n', stderr: '' });
    },
    SPAWN_MS,
  );
});

describe('wharf migrate (in-process)', () => {
  it.each([
    [
      ['migrate'],
      'wharf migrate: missing subcommand: generate, up, down or status (see "wharf migrate --help")',
    ],
    [
      ['migrate', 'sideways'],
      'wharf migrate: unknown subcommand "sideways"; expected generate, up, down or status (see "wharf migrate --help")',
    ],
    [
      ['migrate', 'down', 'two'],
      'wharf migrate down: n must be a positive integer, got "two" (see "wharf migrate down --help")',
    ],
    [
      ['migrate', 'down', '0'],
      'wharf migrate down: n must be a positive integer, got "0" (see "wharf migrate down --help")',
    ],
    [
      ['migrate', 'down', '1', '2'],
      'wharf migrate down: unexpected argument "2" (see "wharf migrate down --help")',
    ],
    [
      ['migrate', 'up', '--to', 'latest'],
      'wharf migrate up: --to must be a positive integer, got "latest" (see "wharf migrate up --help")',
    ],
    [
      ['migrate', 'up', '--dir'],
      'wharf migrate up: option --dir needs a value (see "wharf migrate up --help")',
    ],
    [
      ['migrate', 'status', 'now'],
      'wharf migrate status: unexpected argument "now" (see "wharf migrate status --help")',
    ],
    [
      ['migrate', 'generate'],
      'wharf migrate generate: missing the migration name (see "wharf migrate generate --help")',
    ],
    [
      ['migrate', 'generate', 'init'],
      'wharf migrate generate: no models module: pass --models <path> or set migrate.models (see "wharf migrate generate --help")',
    ],
  ])('%j prints one line and exits 2', async (argv, message) => {
    const result = await runInProcess(argv, work);
    expect(result).toEqual({ code: 2, out: [], err: [message] });
  });

  it('prints the help of each subcommand', async () => {
    for (const sub of ['generate', 'up', 'down', 'status']) {
      const result = await runInProcess(['migrate', sub, '--help'], work);
      expect(result.code).toBe(0);
      expect(result.out[0]).toMatch(new RegExp(`^Usage: wharf migrate ${sub}\\b`));
      expect(result.out.join('\n')).toContain('--dir <path>');
    }
  });

  it('exits 1 with the reason when the models module cannot be loaded', async () => {
    const result = await runInProcess(['migrate', 'generate', 'init', '--models', 'nope.ts'], work);
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(
      new RegExp(`^wharf migrate: Cannot load the models module ${join(work, 'nope.ts')}: `),
    );
  });

  it('exits 1 when no lasting database is configured', async () => {
    await mkdir(join(work, 'migrations'));
    const result = await runInProcess(['migrate', 'up'], work);
    expect(result).toEqual({
      code: 1,
      out: [],
      err: [
        'wharf migrate: No database configured: set DATABASE_URL (or WHARF_DB_URL) for PostgreSQL, or WHARF_DB_DATA_DIR for embedded PGlite',
      ],
    });
  });

  it('exits 1 naming the file when a migration file is malformed', async () => {
    await writeFile(join(work, 'setup.sql'), 'select 1;');
    const env = cleanEnv({ WHARF_DB_DATA_DIR: join(work, 'data'), WHARF_MIGRATE_DIR: '.' });
    const result = await runInProcess(['migrate', 'up'], work, env);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      `wharf migrate: Migration file ${join(work, 'setup.sql')} is not named NNNN_name.sql (e.g. 0001_create_cities.sql)`,
    ]);
  });

  it("reads its settings from a config module that also holds the application's own", async () => {
    await mkdir(join(work, 'migrations'));
    await writeFile(join(work, 'migrations', '0001_init.sql'), 'create table t (id int);');
    await writeFile(
      join(work, 'config.mjs'),
      `export default { citiesUrl: 'http://cities', db: { dataDir: 'data' } };`,
    );
    const env = cleanEnv({ WHARF_CONFIG: 'config.mjs' });
    expect(await runInProcess(['migrate', 'up'], work, env)).toEqual({
      code: 0,
      out: ['Applied 0001_init.sql', 'Applied 1 migration.'],
      err: [],
    });
  });

  it('reads the folder and models from the migrate settings; flags win', async () => {
    const env = cleanEnv({
      WHARF_MIGRATE_DIR: 'db/migrations',
      WHARF_MIGRATE_MODELS: fixture('cities-v1.ts'),
    });
    const first = await runInProcess(['migrate', 'generate', 'init'], work, env);
    expect(first.out).toEqual([
      'Created db/migrations/0001_init.sql (1 statement); review it, then run "wharf migrate up".',
    ]);
    const second = await runInProcess(
      ['migrate', 'generate', 'add population', '--models', fixture('cities-v2.ts')],
      work,
      env,
    );
    expect(second.code).toBe(0);
    expect(await readFile(join(work, 'db/migrations/0002_add_population.sql'), 'utf8')).toContain(
      'ALTER TABLE "cities" ADD COLUMN "population" integer;',
    );
    const unchanged = await runInProcess(
      [
        'migrate',
        'generate',
        'again',
        '--models',
        fixture('cities-v2.ts'),
        '--dir',
        'db/migrations',
      ],
      work,
      env,
    );
    expect(unchanged.out).toEqual([
      `No changes in ${fixture('cities-v2.ts')} since the last migration; nothing written.`,
    ]);
    expect((await readdir(join(work, 'db/migrations'))).sort()).toEqual([
      '0001_init.sql',
      '0002_add_population.sql',
      'meta',
    ]);
  });
});

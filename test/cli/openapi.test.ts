import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from 'wharf';
import { appFixture, BIN, cleanEnv, runInProcess } from './helpers.js';

const ENTRY = appFixture('main.ts');
const env = cleanEnv({ WHARF_LOG_LEVEL: 'silent' });

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'wharf-openapi-'));
});

afterEach(() => rm(work, { recursive: true, force: true }));

describe('wharf openapi', () => {
  it("writes the entry service's OpenAPI document to standard output", async () => {
    const { code, out, err } = await runInProcess(['openapi', '--entry', ENTRY], work, env);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const spec = JSON.parse(out[0] as string) as OpenApiDocument;
    expect(spec.info).toMatchObject({ title: 'fixture', version: '2.0.0' });
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/cities/{id}', '/cities', '/health/live']),
    );
    expect(spec.paths['/cities/{id}']?.get).toMatchObject({
      operationId: 'getCity',
      summary: 'Get a city by id',
    });
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.valid).toBe(true);
  });

  it('writes it to the --out file, creating its folder, with the --server URLs', async () => {
    const { code, out } = await runInProcess(
      [
        'openapi',
        '--entry',
        ENTRY,
        '--out',
        'docs/api/openapi.json',
        '--server',
        'https://api.example.com',
        '--server',
        'http://localhost:8080',
      ],
      work,
      env,
    );
    expect(code).toBe(0);
    expect(out).toEqual([`Wrote ${join('docs', 'api', 'openapi.json')}`]);
    const text = await readFile(join(work, 'docs', 'api', 'openapi.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    const spec = JSON.parse(text) as OpenApiDocument;
    expect(spec.servers).toEqual([
      { url: 'https://api.example.com' },
      { url: 'http://localhost:8080' },
    ]);
    expect(spec.paths['/cities']?.post).toMatchObject({ operationId: 'createCity' });
  });

  it.each([
    [
      ['--server', 'nowhere'],
      'wharf openapi: --server needs a URL, got "nowhere" (see "wharf openapi --help")',
    ],
    [['--out'], 'wharf openapi: option --out needs a value (see "wharf openapi --help")'],
    [['spec.json'], 'wharf openapi: unexpected argument "spec.json" (see "wharf openapi --help")'],
  ])('answers %j with one line and exit code 2', async (args, message) => {
    const result = await runInProcess(['openapi', '--entry', ENTRY, ...args], work, env);
    expect(result).toEqual({ code: 2, out: [], err: [message] });
  });

  it('explains its options with --help', async () => {
    const { code, out } = await runInProcess(['openapi', '--help'], work);
    expect(code).toBe(0);
    expect(out[0]).toBe('Usage: wharf openapi [--out <file>] [--server <url>]… [--entry <path>]');
    expect(out.some((line) => line.startsWith('  -o, --out <file>'))).toBe(true);
  });

  it('exits 0 without a stack trace when its reader closes the pipe early (| head)', async () => {
    const child = spawn(process.execPath, [BIN, 'openapi', '--entry', ENTRY], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The read end closes before anything is written, so the first write fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});

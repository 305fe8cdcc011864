import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFixture, cleanEnv, runInProcess } from './helpers.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'wharf-routes-'));
});

afterEach(() => rm(work, { recursive: true, force: true }));

describe('wharf routes', () => {
  it("prints the entry service's routes as an aligned table, health routes included", async () => {
    const { code, out, err } = await runInProcess(
      ['routes', '--entry', appFixture('main.ts')],
      work,
      cleanEnv({ WHARF_LOG_LEVEL: 'silent' }),
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'METHOD  PATH           NAME         SUMMARY',
      'GET     /health/live   healthLive   Liveness: the process is up and serving',
      'GET     /health/ready  healthReady  Readiness: every dependency check passes and the service is not stopping',
      'GET     /metrics       metrics      Prometheus metrics of this service',
      'GET     /cities/:id    getCity      Get a city by id',
      'POST    /cities        createCity',
    ]);
  });

  it('finds the entry in WHARF_ENTRY and takes an app exported as "app"', async () => {
    const { code, out } = await runInProcess(
      ['routes'],
      work,
      cleanEnv({ WHARF_ENTRY: appFixture('named.ts') }),
    );
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('DELETE  /sessions/:id  endSession   End a session');
  });

  it('explains itself with --help and answers a wrong flag with one line and exit code 2', async () => {
    const help = await runInProcess(['routes', '--help'], work);
    expect(help.code).toBe(0);
    expect(help.out[0]).toBe('Usage: wharf routes [--entry <path>]');
    const wrong = await runInProcess(['routes', '--format', 'json'], work);
    expect(wrong).toEqual({
      code: 2,
      out: [],
      err: ['wharf routes: unknown option --format (see "wharf routes --help")'],
    });
  });

  it('fails with one line naming the missing entry module', async () => {
    const { code, err } = await runInProcess(['routes', '--entry', 'app.ts'], work);
    expect({ code, err }).toEqual({
      code: 1,
      err: ['wharf routes: No entry module at app.ts: pass --entry <path> or set WHARF_ENTRY'],
    });
  });
});

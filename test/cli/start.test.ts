import { appendFile, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  alive,
  appFixture,
  cleanEnv,
  type LogLine,
  runInProcess,
  startWharf,
  type WharfProcess,
} from './helpers.js';

/** Workers compile the app with tsx on start: slow on a busy machine. */
const READY_MS = 90_000;
const STOP_MS = 20_000;

const ENTRY = appFixture('main.ts');

let work: string;
const started: WharfProcess[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'wharf-start-'));
});

afterEach(async () => {
  // Whatever a failed test left running: the primary, and every worker it ever reported.
  for (const proc of started.splice(0)) {
    const pids = proc.lines.flatMap((line) => (typeof line.pid === 'number' ? [line.pid] : []));
    for (const pid of new Set([proc.child.pid, ...pids])) {
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  await rm(work, { recursive: true, force: true });
});

function start(args: string[]): WharfProcess {
  const proc = startWharf(['start', '--entry', ENTRY, ...args], work, cleanEnv({ PORT: '0' }));
  started.push(proc);
  return proc;
}

const readyPid = (line: LogLine) => /^worker \d+ ready$/.test(line.msg ?? '');

describe('wharf start --workers', () => {
  it(
    'replaces a worker killed with SIGKILL, and drains every worker on SIGTERM, exiting 0',
    async () => {
      const primary = start(['--workers', '2']);
      await primary.waitFor(() => primary.lines.filter(readyPid).length >= 2, READY_MS);
      const first = primary.lines.filter(readyPid).map((line) => line.pid as number);
      const [victim, survivor] = first as [number, number];

      // Both share one port: a request reaches one of them.
      const listening = await primary.waitFor((line) => typeof line.url === 'string', READY_MS);
      const res = await fetch(`${listening.url}/cities/7`);
      expect(res.status).toBe(200);
      const { data } = (await res.json()) as { data: { id: number; pid: number } };
      expect(first).toContain(data.pid);

      process.kill(victim, 'SIGKILL');
      await primary.waitFor(
        (line) => line.msg === `worker ${victim} exited (signal SIGKILL)`,
        STOP_MS,
      );
      const replacement = await primary.waitFor(
        (line) => readyPid(line) && !first.includes(line.pid as number),
        READY_MS,
      );
      const live = [survivor, replacement.pid as number];

      primary.child.kill('SIGTERM');
      expect(await primary.exited(STOP_MS)).toBe(0);
      for (const pid of live) {
        expect(primary.lines).toContainEqual(
          expect.objectContaining({ msg: `worker ${pid} stopped (code 0)` }),
        );
        expect(alive(pid)).toBe(false);
      }
      expect(primary.lines).toContainEqual(
        expect.objectContaining({ msg: 'all workers stopped; exiting with 0' }),
      );
    },
    READY_MS * 2 + STOP_MS * 2,
  );
});

describe('wharf start roles', () => {
  it(
    'runs the scheduler and consumers without opening a port for --schedule --consume',
    async () => {
      const proc = start(['--schedule', '--consume']);
      await proc.waitFor((line) => line.msg === 'fixture running as schedule, consume', READY_MS);
      await proc.waitFor((line) => line.msg === 'heartbeat finished', STOP_MS);
      expect(proc.lines).toContainEqual(expect.objectContaining({ msg: 'consumer started' }));
      expect(proc.lines).toContainEqual(
        expect.objectContaining({ msg: 'fixture started without HTTP' }),
      );
      expect(proc.lines.some((line) => /listening/.test(line.msg ?? ''))).toBe(false);

      proc.child.kill('SIGTERM');
      expect(await proc.exited(STOP_MS)).toBe(0);
      expect(proc.lines).toContainEqual(expect.objectContaining({ msg: 'consumer stopped' }));
    },
    READY_MS + STOP_MS * 2,
  );
});

describe('wharf dev', () => {
  it(
    'restarts the service when its code changes, the old process stopping gracefully',
    async () => {
      // A service folder of its own, with Wharf linked in as an installed package would be.
      const repo = resolve(fileURLToPath(new URL('../../', import.meta.url)));
      await writeFile(join(work, 'package.json'), '{ "type": "module" }\n');
      await mkdir(join(work, 'node_modules'));
      await symlink(repo, join(work, 'node_modules', 'wharf'), 'dir');
      await mkdir(join(work, 'src'));
      await copyFile(ENTRY, join(work, 'src', 'main.ts'));

      const dev = startWharf(['dev'], work, cleanEnv({ PORT: '0' }));
      started.push(dev);
      const running = (line: LogLine) => line.msg === 'fixture running as api';
      const first = await dev.waitFor(running, READY_MS);
      await appendFile(join(work, 'src', 'main.ts'), '// changed\n');
      await dev.waitFor((line) => line.msg === 'stopped' && line.pid === undefined, STOP_MS);
      const second = await dev.waitFor((line) => running(line) && line.pid !== first.pid, READY_MS);
      expect(alive(first.pid as number)).toBe(false);

      dev.child.kill('SIGTERM');
      expect(await dev.exited(STOP_MS)).toBe(0);
      expect(alive(second.pid as number)).toBe(false);
    },
    READY_MS * 2 + STOP_MS * 2,
  );
});

describe('wharf start (in-process)', () => {
  it('explains its flags with --help', async () => {
    const { code, out, err } = await runInProcess(['start', '--help'], work);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toBe(
      'Usage: wharf start [--api] [--schedule] [--consume] [--workers <n|auto>] [--entry <path>]',
    );
    for (const flag of ['--api', '--schedule', '--consume', '--workers <n|auto>', '--entry']) {
      expect(out.some((line) => line.startsWith(`  ${flag}`))).toBe(true);
    }
  });

  it.each([
    [['--bogus'], 'wharf start: unknown option --bogus (see "wharf start --help")'],
    [
      ['--workers', 'two'],
      'wharf start: --workers must be a positive integer or "auto", got "two" (see "wharf start --help")',
    ],
    [['--workers'], 'wharf start: option --workers needs a value (see "wharf start --help")'],
    [['now'], 'wharf start: unexpected argument "now" (see "wharf start --help")'],
  ])('answers %j with one line and exit code 2', async (args, message) => {
    const { code, out, err } = await runInProcess(['start', ...args], work);
    expect({ code, out, err }).toEqual({ code: 2, out: [], err: [message] });
  });

  it('refuses --workers in wharf dev, which runs one process', async () => {
    const { code, err } = await runInProcess(['dev', '--workers', '2'], work);
    expect({ code, err }).toEqual({
      code: 2,
      err: ['wharf dev: --workers does not apply: dev runs one process (see "wharf dev --help")'],
    });
  });

  it('fails with one line when there is no entry module', async () => {
    const { code, err } = await runInProcess(['start'], work);
    expect(code).toBe(1);
    expect(err).toEqual([
      'wharf start: No entry module at src/main.ts: pass --entry <path> or set WHARF_ENTRY',
    ]);
  });

  it('fails with one line when the entry exports no app', async () => {
    const entry = appFixture('not-an-app.ts');
    const { code, err } = await runInProcess(['start', '--entry', entry], work);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^wharf start: .*not-an-app\.ts must export defineApp\(\{ service, … \}\) as its default export or as "app"$/,
    );
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createService,
  type RunOptions,
  type RunProcess,
  route,
  runService,
  Type,
} from 'wharf';

type LogLine = Record<string, unknown> & { msg?: string; level?: string };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = 'test/fixtures/slow-service.ts';
// Starting node with tsx takes seconds on a busy machine; every wait stays bounded.
const START_MS = 40_000;
const PROCESS_TEST_MS = 75_000;

/** `process` as far as runService sees it: signals are emitted by the test. */
class FakeProcess extends EventEmitter implements RunProcess {
  stderrText = '';
  readonly exits: number[] = [];
  readonly stderr = {
    write: (text: string) => {
      this.stderrText += text;
      return true;
    },
  };
  exit(code: number): void {
    this.exits.push(code);
  }
  signalListeners(): number {
    return this.listenerCount('SIGTERM') + this.listenerCount('SIGINT');
  }
}

function run(
  source: Parameters<typeof runService>[0],
  fake: FakeProcess,
  options: RunOptions = {},
) {
  return runService(source, { process: fake, exit: (code) => fake.exit(code), ...options });
}

function pingService(
  options: { graceMs?: number; port?: number; lines?: LogLine[]; level?: 'info' } = {},
) {
  const lines = options.lines ?? [];
  return createService({
    name: 'pinger',
    config: {
      log: { level: options.level ?? 'silent' },
      http: { host: '127.0.0.1', port: options.port ?? 0 },
      shutdown: { graceMs: options.graceMs ?? 5_000 },
    },
    logDestination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as LogLine) },
    routes: [
      route({
        method: 'GET',
        url: '/ping',
        name: 'ping',
        response: Type.Object({ pong: Type.Boolean() }),
        handler: () => ({ pong: true }),
      }),
    ],
  });
}

describe('runService', () => {
  it('listens, logs one line with the URL and handles SIGTERM and SIGINT', async () => {
    const fake = new FakeProcess();
    const lines: LogLine[] = [];
    const running = await run(pingService({ lines, level: 'info' }), fake);

    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.filter((l) => l.url === running.url)).toHaveLength(1);
    expect(fake.listenerCount('SIGTERM')).toBe(1);
    expect(fake.listenerCount('SIGINT')).toBe(1);
    const res = await fetch(`${running.url}/ping`);
    expect(await res.json()).toEqual({ code: 0, message: 'ok', data: { pong: true } });

    fake.emit('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('on a signal stops the service, exits 0 and removes its signal listeners', async () => {
    const fake = new FakeProcess();
    const service = pingService();
    const stops: string[] = [];
    service.onStop(() => {
      stops.push(`stop hook, ready: ${!service.health.stopping}`);
    });
    const running = await run(service, fake);

    fake.emit('SIGINT');

    expect(await running.exited).toBe(0);
    expect(fake.exits).toEqual([0]);
    expect(stops).toEqual(['stop hook, ready: false']);
    expect(service.app.server.listening).toBe(false);
    expect(fake.signalListeners()).toBe(0);
  });

  it('handles only the signals it is given', async () => {
    const fake = new FakeProcess();
    const running = await run(pingService(), fake, { signals: ['SIGUSR2'] });
    expect(fake.signalListeners()).toBe(0);

    fake.emit('SIGUSR2');

    expect(await running.exited).toBe(0);
    expect(fake.listenerCount('SIGUSR2')).toBe(0);
  });

  it('exits 1 with an error line when stopping outlasts shutdown.graceMs', async () => {
    const fake = new FakeProcess();
    const lines: LogLine[] = [];
    const service = pingService({ graceMs: 50, lines, level: 'info' });
    service.onStop(() => new Promise<void>(() => {}));
    const running = await run(service, fake);

    fake.emit('SIGTERM');

    expect(await running.exited).toBe(1);
    expect(fake.exits).toEqual([1]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', graceMs: 50, msg: expect.stringMatching(/grace/) }),
    );
    expect(fake.signalListeners()).toBe(0);
  });

  it('exits 1 at once on a second signal during shutdown', async () => {
    const fake = new FakeProcess();
    const service = pingService();
    let finishStop: () => void = () => {};
    service.onStop(
      () =>
        new Promise<void>((resolve) => {
          finishStop = resolve;
        }),
    );
    const running = await run(service, fake);

    fake.emit('SIGTERM');
    await expect.poll(() => service.app.server.listening).toBe(false);
    fake.emit('SIGINT');

    expect(await running.exited).toBe(1);
    expect(fake.exits).toEqual([1]);
    finishStop();
    await service.stop();
    expect(fake.exits).toEqual([1]);
  });

  it('on a signal during start lets the start finish, then stops and exits 0', async () => {
    const fake = new FakeProcess();
    const service = pingService();
    const calls: string[] = [];
    let entered: () => void = () => {};
    const inStartHook = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let finishStart: () => void = () => {};
    service
      .onStart(async () => {
        entered();
        await new Promise<void>((resolve) => {
          finishStart = resolve;
        });
        calls.push('start hook finished');
      })
      .onStop(() => void calls.push('stop hook'));
    const starting = run(service, fake);
    await inStartHook;

    fake.emit('SIGTERM');
    finishStart();
    const running = await starting;

    expect(await running.exited).toBe(0);
    expect(calls).toEqual(['start hook finished', 'stop hook']);
    expect(service.app.server.listening).toBe(false);
  });

  it('exits 1 when a stop hook fails', async () => {
    const fake = new FakeProcess();
    const service = pingService();
    service.onStop(() => {
      throw new Error('could not flush');
    });
    const running = await run(service, fake);

    expect(await running.shutdown()).toBe(1);
    expect(fake.exits).toEqual([1]);
  });

  it('reports a throwing start hook in one stderr line, runs the stop hooks and exits 1', async () => {
    const fake = new FakeProcess();
    const service = pingService();
    const stops: string[] = [];
    service
      .onStart(() => {
        throw new Error('database unreachable');
      })
      .onStop(() => void stops.push('stop hook'));

    await expect(run(service, fake)).rejects.toThrow('database unreachable');

    expect(fake.stderrText).toBe('pinger failed to start: database unreachable\n');
    expect(fake.exits).toEqual([1]);
    expect(stops).toEqual(['stop hook']);
    expect(service.app.server.listening).toBe(false);
    expect(fake.signalListeners()).toBe(0);
  });

  it('reports a port in use in one stderr line and exits 1', async () => {
    const holder = new FakeProcess();
    const first = await run(pingService(), holder);
    const fake = new FakeProcess();

    await expect(
      run(pingService({ port: Number(new URL(first.url).port) }), fake),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });

    expect(fake.stderrText).toMatch(/^pinger failed to start: .*EADDRINUSE.*\n$/);
    expect(fake.exits).toEqual([1]);
    expect(await first.shutdown()).toBe(0);
  });

  it('prints only the message of a ConfigError raised while building the service', async () => {
    const fake = new FakeProcess();

    const error = await run(
      () => createService({ name: 'bad', config: { http: { port: 70_000 } }, routes: [] }),
      fake,
    ).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ConfigError);
    expect(fake.stderrText).toBe(`${(error as ConfigError).message}\n`);
    expect(fake.stderrText).toContain('http.port');
    expect(fake.exits).toEqual([1]);
  });

  it('prints only the message of a ConfigError thrown by a start hook', async () => {
    const fake = new FakeProcess();
    const service = pingService().onStart(() => {
      throw new ConfigError('DATABASE_URL is required');
    });

    await expect(run(service, fake)).rejects.toBeInstanceOf(ConfigError);

    expect(fake.stderrText).toBe('DATABASE_URL is required\n');
  });
});

interface Fixture {
  child: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  waitForLine(what: string, match: (line: LogLine) => boolean, ms?: number): Promise<LogLine>;
  waitForExit(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
const agents: http.Agent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
});

/** Run the fixture service as a real process and follow its JSON log lines. */
function startFixture(env: Record<string, string> = {}): Fixture {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  const events = new EventEmitter();
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
      events.emit('line');
    } catch {
      // Not a log line (e.g. a runtime warning); the tests only read JSON lines.
    }
  });
  // 'close', not 'exit': it comes once stdout is read to its end, so no last line is missed.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );

  const describeState = () => `\nstdout: ${JSON.stringify(lines)}\nstderr: ${stderr}`;
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine(what, match, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no log line "${what}" within ${ms} ms${describeState()}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          events.off('line', check);
        };
        events.on('line', check);
        check();
      });
    },
    waitForExit(ms = 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`fixture did not exit within ${ms} ms${describeState()}`)),
          ms,
        );
      });
      return Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    },
  };
}

type Outcome = { status: number; body: unknown } | { error: string };

/**
 * One request, on a fresh connection unless an agent is given; a refused or reset
 * connection is an outcome too.
 */
function request(url: string, agent: http.Agent | false = false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: 5_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

const msg = (text: string) => (line: LogLine) => line.msg === text;

describe('a service run as a process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s finishes the in-flight request, refuses new ones, runs the stop hook and exits 0',
    async (signal) => {
      const fixture = startFixture();
      const { url } = await fixture.waitForLine(
        'listening',
        (l) => typeof l.url === 'string',
        START_MS,
      );
      // Keep-alive, as a load balancer would: closing must not wait for the idle socket.
      const agent = new http.Agent({ keepAlive: true });
      agents.push(agent);
      const slow = request(`${url}/slow`, agent);
      await fixture.waitForLine('slow handler started', msg('slow handler started'));

      fixture.child.kill(signal);
      await fixture.waitForLine('signal received', (l) => l.signal === signal);
      const late = await request(`${url}/slow`);

      expect(await slow).toEqual({
        status: 200,
        body: { code: 0, message: 'ok', data: { waitedMs: 1_000 } },
      });
      if ('error' in late) {
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain(late.error);
      } else {
        expect(late).toMatchObject({ status: 503, body: { code: 'SHUTTING_DOWN' } });
      }
      expect(await fixture.waitForExit()).toEqual({ code: 0, signal: null });
      const finished = fixture.lines.findIndex(msg('slow handler finished'));
      const stopHook = fixture.lines.findIndex(msg('stop hook ran'));
      expect(finished).toBeGreaterThan(-1);
      expect(stopHook).toBeGreaterThan(finished);
      expect(fixture.lines.filter(msg('slow handler started'))).toHaveLength(1);
    },
    PROCESS_TEST_MS,
  );

  it(
    'exits 1 and logs the grace period when a stop hook hangs',
    async () => {
      const fixture = startFixture({ FIXTURE_HANG_ON_STOP: '1', FIXTURE_GRACE_MS: '300' });
      await fixture.waitForLine('listening', (l) => typeof l.url === 'string', START_MS);

      fixture.child.kill('SIGTERM');

      expect(await fixture.waitForExit()).toEqual({ code: 1, signal: null });
      expect(fixture.lines).toContainEqual(expect.objectContaining({ msg: 'stop hook ran' }));
      expect(fixture.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          graceMs: 300,
          msg: expect.stringContaining('grace period'),
        }),
      );
    },
    PROCESS_TEST_MS,
  );
});

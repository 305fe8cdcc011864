import { describe, expect, it } from 'vitest';
import {
  type AppRole,
  ConfigError,
  createService,
  defineApp,
  type Runnable,
  type RunProcess,
  runApp,
} from 'wharf';

/** A stand-in for `process`: records what runService writes and the exit code. */
function fakeProcess() {
  const written: string[] = [];
  const exits: number[] = [];
  const proc: RunProcess = {
    on: () => proc,
    off: () => proc,
    exit: (code) => void exits.push(code),
    stderr: { write: (text: string) => written.push(text) },
  };
  return { proc, written, exits };
}

/** A runnable that records its starts and stops in `events`. */
function recorder(name: string, events: string[]): Runnable {
  return {
    start: () => void events.push(`${name} start`),
    stop: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`${name} stop`);
    },
  };
}

function fixtureApp(events: string[], parts: { scheduler?: boolean; consumers?: number } = {}) {
  const service = createService({
    name: 'orders',
    config: { log: { level: 'silent' }, http: { host: '127.0.0.1', port: 0 } },
    routes: [],
  });
  service.onStop(() => void events.push('db close'));
  return defineApp({
    service,
    scheduler: parts.scheduler === false ? undefined : recorder('scheduler', events),
    consumers: Array.from({ length: parts.consumers ?? 2 }, (_, i) =>
      recorder(`consumer ${i + 1}`, events),
    ),
  });
}

async function runAs(roles: AppRole[], app: ReturnType<typeof fixtureApp>) {
  const fake = fakeProcess();
  const running = await runApp(app, { roles, process: fake.proc });
  return { running, ...fake };
}

describe('runApp()', () => {
  it('starts the scheduler and consumers without listening for schedule and consume', async () => {
    const events: string[] = [];
    const app = fixtureApp(events);
    const { running, exits } = await runAs(['schedule', 'consume'], app);
    expect(running.url).toBe('');
    expect(app.service.app.server.listening).toBe(false);
    expect(events).toEqual(['scheduler start', 'consumer 1 start', 'consumer 2 start']);

    expect(await running.shutdown()).toBe(0);
    expect(exits).toEqual([0]);
    // Stopped in reverse: consumers and scheduler before what was registered earlier.
    expect(events.slice(3)).toEqual([
      'consumer 2 stop',
      'consumer 1 stop',
      'scheduler stop',
      'db close',
    ]);
  });

  it('only listens for the api role: the scheduler and consumers stay idle', async () => {
    const events: string[] = [];
    const app = fixtureApp(events);
    const { running } = await runAs(['api'], app);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${running.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await running.shutdown()).toBe(0);
    expect(events).toEqual(['db close']);
  });

  it('fails to start with one line when a role has nothing to run', async () => {
    const events: string[] = [];
    const app = fixtureApp(events, { scheduler: false });
    const fake = fakeProcess();
    await expect(runApp(app, { roles: ['schedule'], process: fake.proc })).rejects.toThrow(
      ConfigError,
    );
    expect(fake.written).toEqual([
      'orders has no scheduler for the schedule role: pass one to defineApp({ scheduler })\n',
    ]);
    expect(fake.exits).toEqual([1]);
  });
});

describe('defineApp()', () => {
  const service = createService({ name: 'x', config: { log: { level: 'silent' } }, routes: [] });

  it('takes one consumer or a list, and no scheduler', () => {
    const one: Runnable = { start() {}, stop() {} };
    expect(defineApp({ service, consumers: one }).consumers).toEqual([one]);
    expect(defineApp({ service })).toEqual({ service, scheduler: undefined, consumers: [] });
  });

  it('refuses a missing service and a part without start() and stop()', () => {
    expect(() => defineApp({ service: {} as never })).toThrow(
      'defineApp() needs { service }: a service made by createService()',
    );
    expect(() =>
      defineApp({ service, consumers: [{ start() {}, stop() {} }, { start() {} } as never] }),
    ).toThrow('defineApp(): consumers[1] needs start() and stop() methods');
  });
});

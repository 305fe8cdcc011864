import { describe, expect, expectTypeOf, it } from 'vitest';
import { createLogger, createService, type LoggedOptions, logged, route } from 'wharf';
import { testService } from 'wharf/testing';

type Line = Record<string, unknown>;

function captureLogger(level: LoggedOptions['level'] | 'silent' = 'info') {
  const lines: Line[] = [];
  const logger = createLogger({
    name: 'cities',
    level: level ?? 'info',
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
  });
  return { logger, lines };
}

interface City {
  id: number;
  name: string;
}

describe('logged()', () => {
  it('writes a start line and an end line with duration_ms around a call', async () => {
    const { logger, lines } = captureLogger();
    const loadCity = async (id: number): Promise<City> => ({ id, name: 'Lyon' });
    const wrapped = logged(loadCity, {
      logger,
      type: 'db',
      category: 'cities',
      detail: 'cities.byId',
      description: 'Load one city by id',
    });

    await expect(wrapped(3)).resolves.toEqual({ id: 3, name: 'Lyon' });

    const fields = {
      level: 'info',
      fn: 'loadCity',
      type: 'db',
      category: 'cities',
      detail: 'cities.byId',
      description: 'Load one city by id',
    };
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ ...fields, phase: 'start', msg: 'loadCity started' });
    expect(lines[0]).not.toHaveProperty('duration_ms');
    expect(lines[1]).toMatchObject({ ...fields, phase: 'end', msg: 'loadCity finished' });
    expect(lines[1]?.duration_ms).toBeTypeOf('number');
    expect(lines[1]?.duration_ms as number).toBeGreaterThanOrEqual(0);
  });

  it('writes an error line with err and duration_ms, then rethrows the same error', async () => {
    const { logger, lines } = captureLogger();
    const boom = new Error('connection refused');
    const loadCity = async (_id: number): Promise<City> => {
      throw boom;
    };

    await expect(logged(loadCity, { logger, type: 'db' })(3)).rejects.toBe(boom);

    expect(lines.map((line) => line.phase)).toEqual(['start', 'error']);
    const errorLine = lines[1];
    expect(errorLine).toMatchObject({ level: 'error', type: 'db', msg: 'loadCity failed' });
    expect(errorLine?.duration_ms).toBeTypeOf('number');
    expect(errorLine?.err).toMatchObject({ type: 'Error', message: 'connection refused' });
  });

  it('writes start and end at the chosen level, failures still at error', async () => {
    const { logger, lines } = captureLogger('debug');
    const ok = logged(async () => 1, { logger, level: 'debug' });
    const fails = logged(
      async () => {
        throw new Error('nope');
      },
      { logger, level: 'debug' },
    );

    await ok();
    await fails().catch(() => undefined);

    expect(lines.map((line) => [line.phase, line.level])).toEqual([
      ['start', 'debug'],
      ['end', 'debug'],
      ['start', 'debug'],
      ['error', 'error'],
    ]);
  });

  it('writes nothing for a level the logger filters out, but still the error line', async () => {
    const { logger, lines } = captureLogger('info');
    const ok = logged(async () => 1, { logger, level: 'debug' });
    const fails = logged(
      async () => {
        throw new Error('nope');
      },
      { logger, level: 'debug' },
    );

    await ok();
    await fails().catch(() => undefined);

    expect(lines.map((line) => line.phase)).toEqual(['error']);
  });

  it('writes at info unless a level is given', async () => {
    const { logger, lines } = captureLogger('warn');
    await logged(async () => 1, { logger })();
    await logged(async () => 1, { logger, level: 'warn' })();

    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn']);
  });

  it('leaves fields that were not given off the lines', async () => {
    const { logger, lines } = captureLogger();
    await logged(async () => 1, { logger })();

    for (const key of ['type', 'category', 'detail', 'description']) {
      expect(lines[0]).not.toHaveProperty(key);
    }
  });

  it('passes arguments and this through and keeps the function name', async () => {
    const { logger } = captureLogger('silent');
    const repo = {
      prefix: 'city-',
      key: logged(
        async function key(this: { prefix: string }, id: number) {
          return `${this.prefix}${id}`;
        },
        { logger },
      ),
    };

    await expect(repo.key(5)).resolves.toBe('city-5');
    expect(repo.key.name).toBe('key');
  });

  it('names an inline function by its detail, else "anonymous"', async () => {
    const { logger, lines } = captureLogger();
    await logged(async () => 1, { logger, detail: 'cities.byId' })();
    await logged(async () => 1, { logger })();

    expect(lines.map((line) => line.msg)).toEqual([
      'cities.byId started',
      'cities.byId finished',
      'anonymous started',
      'anonymous finished',
    ]);
    expect(lines[0]).not.toHaveProperty('fn');
  });

  it('keeps the wrapped function’s parameter and return types', () => {
    const { logger } = captureLogger('silent');
    const loadCity = async (id: number, name?: string): Promise<City> => ({ id, name: name ?? '' });
    const wrapped = logged(loadCity, { logger });

    expectTypeOf(wrapped).toEqualTypeOf<(id: number, name?: string) => Promise<City>>();
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[id: number, name?: string]>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<City>();

    const identity = logged(async <T>(value: T) => value, { logger });
    expectTypeOf(identity('x')).resolves.toEqualTypeOf<string>();

    // @ts-expect-error: the wrapper takes what the function takes
    void wrapped('3');
    // @ts-expect-error: only async functions are wrapped
    logged((id: number) => id, { logger });
  });
});

describe('service.logged()', () => {
  function serviceWithLog() {
    const lines: Line[] = [];
    const service = createService({
      name: 'cities',
      config: { log: { level: 'info' } },
      logDestination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
      routes: [],
    });
    return { service, lines };
  }

  it('writes to the service logger with the service name as category', async () => {
    const { service, lines } = serviceWithLog();
    const loadCity = service.logged(async (id: number) => ({ id }), { type: 'db' });

    await expect(loadCity(1)).resolves.toEqual({ id: 1 });
    await service.stop();

    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'cities', category: 'cities', type: 'db' });
    }
  });

  it('lets an explicit category win', async () => {
    const { service, lines } = serviceWithLog();
    await service.logged(async () => 1, { category: 'geo' })();
    await service.stop();

    expect(lines.map((line) => line.category)).toEqual(['geo', 'geo']);
  });

  it('keeps the wrapped function’s types', async () => {
    const { service } = serviceWithLog();
    const wrapped = service.logged(async (id: number): Promise<City> => ({ id, name: '' }));
    await service.stop();

    expectTypeOf(wrapped).toEqualTypeOf<(id: number) => Promise<City>>();
  });
});

describe('logged() inside a request', () => {
  it('accepts request.log, so its lines carry the req_id', async () => {
    const lines: Line[] = [];
    const service = createService({
      name: 'cities',
      config: { log: { level: 'info', accessLog: false } },
      logDestination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
      routes: [
        route({
          method: 'GET',
          url: '/cities',
          name: 'listCities',
          handler: ({ log }) => {
            const listCities = async () => ['Lyon'];
            return logged(listCities, { logger: log, type: 'db' })();
          },
        }),
      ],
    });
    const t = await testService(service);
    await t.request({ method: 'GET', url: '/cities', headers: { 'x-request-id': 'req-7' } });
    await t.close();

    const callLines = lines.filter((line) => line.fn === 'listCities');
    expect(callLines.map((line) => [line.phase, line.req_id])).toEqual([
      ['start', 'req-7'],
      ['end', 'req-7'],
    ]);
  });
});

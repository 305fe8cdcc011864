import { describe, expect, it } from 'vitest';
import { createService, route, ServiceError, Type } from 'wharf';
import { testService } from 'wharf/testing';

type Line = Record<string, unknown>;

/** A log destination that keeps every line, parsed. */
function captureLog() {
  const lines: Line[] = [];
  return {
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
    lines,
    accessLines: () => lines.filter((line) => line.msg === 'request'),
  };
}

function citiesService(
  log: ReturnType<typeof captureLog>,
  config: { level?: 'info' | 'debug'; accessLog?: boolean } = {},
) {
  return createService({
    name: 'cities',
    config: { log: { level: config.level ?? 'info', accessLog: config.accessLog ?? true } },
    logDestination: log.destination,
    routes: [
      route({
        method: 'GET',
        url: '/cities/:id',
        name: 'getCity',
        params: Type.Object({ id: Type.Integer() }),
        handler: ({ params, log: requestLog }) => {
          requestLog.info('loading city');
          if (params.id === 500) throw new Error('database on fire');
          if (params.id === 404) {
            throw new ServiceError({ status: 404, code: 'CITY_NOT_FOUND', message: 'No city' });
          }
          return { id: params.id };
        },
      }),
    ],
  });
}

describe('access log', () => {
  it('writes one line per request with method, route template, status, duration and ids', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    await t.request({ method: 'GET', url: '/cities/42?secret=token' });
    await t.close();

    const access = log.accessLines();
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 'info',
      service: 'cities',
      method: 'GET',
      route: '/cities/:id',
      status: 200,
    });
    expect(access[0]?.duration_ms).toBeTypeOf('number');
    expect(access[0]?.req_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the raw URL (ids, query string) out of the line at info level', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    await t.request({ method: 'GET', url: '/cities/42?secret=token' });
    await t.close();

    const line = log.accessLines()[0];
    expect(line).not.toHaveProperty('url');
    expect(JSON.stringify(line)).not.toContain('secret=token');
    expect(JSON.stringify(line)).not.toContain('/cities/42');
  });

  it('adds the raw URL at debug level', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log, { level: 'debug' }));
    await t.request({ method: 'GET', url: '/cities/42?q=1' });
    await t.close();

    expect(log.accessLines()[0]).toMatchObject({ route: '/cities/:id', url: '/cities/42?q=1' });
  });

  it('leaves Fastify’s own request lines out', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    await t.request({ method: 'GET', url: '/cities/1' });
    await t.close();

    const messages = log.lines.map((line) => line.msg);
    expect(messages).not.toContain('incoming request');
    expect(messages).not.toContain('request completed');
  });

  it('writes route null, not the raw path, for a request no route matched', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    const res = await t.request({ method: 'GET', url: '/admin/users/7' });
    await t.close();

    expect(res.status).toBe(404);
    const line = log.accessLines()[0];
    expect(line).toMatchObject({ method: 'GET', route: null, status: 404 });
    expect(JSON.stringify(line)).not.toContain('/admin/users/7');
  });

  it('writes the answered status for errors, with the same req_id as the error line', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    await t.request({ method: 'GET', url: '/cities/500' });
    await t.request({ method: 'GET', url: '/cities/404' });
    await t.close();

    const [failed, notFound] = log.accessLines();
    expect(failed).toMatchObject({ route: '/cities/:id', status: 500 });
    expect(notFound).toMatchObject({ route: '/cities/:id', status: 404 });
    const errorLine = log.lines.find((line) => line.level === 'error');
    expect(errorLine?.req_id).toBe(failed?.req_id);
  });

  it('uses an incoming x-request-id as req_id on every line of the request', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    await t.request({ method: 'GET', url: '/cities/1', headers: { 'x-request-id': 'abc-123' } });
    await t.close();

    const handlerLine = log.lines.find((line) => line.msg === 'loading city');
    expect(handlerLine?.req_id).toBe('abc-123');
    expect(log.accessLines()[0]?.req_id).toBe('abc-123');
  });

  it('writes nothing per request when config.log.accessLog is false', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log, { accessLog: false }));
    await t.request({ method: 'GET', url: '/cities/1' });
    await t.close();

    // The handler's own line proves the destination was live.
    expect(log.lines.map((line) => line.msg)).toContain('loading city');
    expect(log.accessLines()).toEqual([]);
  });
});

describe('request id header', () => {
  it('echoes an incoming x-request-id on the response', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    const res = await t.request({
      method: 'GET',
      url: '/cities/1',
      headers: { 'x-request-id': 'abc-123' },
    });
    await t.close();

    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('sends the generated id when none came in, also on a 404', async () => {
    const log = captureLog();
    const t = await testService(citiesService(log));
    const found = await t.request({ method: 'GET', url: '/cities/1' });
    const missing = await t.request({ method: 'GET', url: '/nowhere' });
    await t.close();

    const [first, second] = log.accessLines();
    expect(found.headers['x-request-id']).toBe(first?.req_id);
    expect(missing.headers['x-request-id']).toBe(second?.req_id);
    expect(first?.req_id).not.toBe(second?.req_id);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService, type ErrorReport, route, ServiceError, Type } from 'wharf';
import { testService } from 'wharf/testing';
import { InMemorySpanExporter } from 'wharf/tracing';

type Line = Record<string, unknown>;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

class StoreDown extends Error {}

const routes = [
  route({
    method: 'GET',
    url: '/cities/:id',
    name: 'getCity',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    handler: ({ params }) => {
      if (params.id === 404) {
        throw new ServiceError({ status: 404, code: 'CITY_NOT_FOUND', message: 'No such city' });
      }
      if (params.id === 503) {
        throw new ServiceError({ status: 503, code: 'STORE_BUSY', message: 'Store is busy' });
      }
      throw new StoreDown('city store unreachable');
    },
  }),
] as const;

function captureLog() {
  const lines: Line[] = [];
  return {
    destination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
    lines,
  };
}

async function start(options: { traced?: boolean } = {}) {
  const log = captureLog();
  const exporter = options.traced ? new InMemorySpanExporter() : undefined;
  const service = createService({
    name: 'cities',
    config: { log: { level: 'error' } },
    logDestination: log.destination,
    routes,
    tracing: exporter ? { exporter } : undefined,
  });
  const t = await testService(service);
  closers.push(() => t.close());
  return { service, t, log, exporter };
}

/** Subscribers run after the answer; one more turn of the event loop lets them run. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

describe('service.onError', () => {
  it('hands a 500 to the subscriber once, with the thrown error, the answer and the request', async () => {
    const { service, t } = await start();
    const subscriber = vi.fn();
    service.onError(subscriber);

    const res = await t.request({
      method: 'GET',
      url: '/cities/7?lang=fr',
      headers: {
        authorization: 'Bearer secret-token',
        cookie: 'session=abc',
        'x-request-id': 'req-42',
        'x-tenant': 'acme',
      },
    });
    expect(res.status).toBe(500);
    await settle();

    expect(subscriber).toHaveBeenCalledTimes(1);
    const report = subscriber.mock.calls[0]?.[0] as ErrorReport;
    expect(report.error).toBeInstanceOf(StoreDown);
    expect(report.serviceError).toMatchObject({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
    });
    expect(report.request).toMatchObject({
      id: 'req-42',
      method: 'GET',
      url: '/cities/7?lang=fr',
      routeUrl: '/cities/:id',
    });
    expect(report.request.headers).toMatchObject({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-tenant': 'acme',
    });
    expect(JSON.stringify(report)).not.toContain('secret-token');
    expect(report.traceId).toBeUndefined();
    expect(report.spanId).toBeUndefined();
  });

  it('reports a ServiceError of 5xx thrown by a handler as itself', async () => {
    const { service, t } = await start();
    const subscriber = vi.fn();
    service.onError(subscriber);
    await t.client.getCity({ params: { id: 503 } });
    await settle();
    expect(subscriber).toHaveBeenCalledTimes(1);
    const report = subscriber.mock.calls[0]?.[0] as ErrorReport;
    expect(report.serviceError).toBe(report.error);
    expect(report.serviceError).toMatchObject({ status: 503, code: 'STORE_BUSY' });
  });

  it('calls every subscriber, in the order they were added', async () => {
    const { service, t } = await start();
    const calls: string[] = [];
    service.onError(() => void calls.push('first')).onError(() => void calls.push('second'));
    await t.client.getCity({ params: { id: 7 } });
    await settle();
    expect(calls).toEqual(['first', 'second']);
  });

  it('is not called for 4xx answers', async () => {
    const { service, t } = await start();
    const subscriber = vi.fn();
    service.onError(subscriber);

    expect((await t.client.getCity({ params: { id: 404 } })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: '/nowhere' })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: '/cities/abc' })).status).toBe(400);
    await settle();
    expect(subscriber).not.toHaveBeenCalled();
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('tracker exploded');
      },
    ],
    ['rejects', () => Promise.reject(new Error('tracker exploded'))],
  ])('still sends the normal 500 envelope when a subscriber %s, and logs it once', async (_, fail) => {
    const { service, t, log } = await start();
    const after = vi.fn();
    service.onError(fail).onError(after);

    const res = await t.request({ method: 'GET', url: '/cities/7' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
    await settle();

    const failures = log.lines.filter((line) => line.msg === 'error subscriber failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'error',
      code: 'INTERNAL_ERROR',
      err: { message: 'tracker exploded' },
    });
    // One failing subscriber does not keep the others from their report.
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('runs after the answer was sent, not before', async () => {
    const { service, t } = await start();
    let sentFirst: boolean | undefined;
    service.onError(() => {
      sentFirst = sent;
    });
    let sent = false;
    const res = await t.request({ method: 'GET', url: '/cities/7' });
    sent = true;
    expect(res.status).toBe(500);
    await settle();
    expect(sentFirst).toBe(true);
  });

  it("carries the server span's trace and span ids when tracing is on", async () => {
    const { service, t, exporter } = await start({ traced: true });
    const subscriber = vi.fn();
    service.onError(subscriber);

    await t.client.getCity({ params: { id: 7 } });
    await settle();
    await service.tracing?.forceFlush();

    const span = exporter?.getFinishedSpans().find((s) => s.name === 'GET /cities/:id');
    expect(span).toBeDefined();
    const report = subscriber.mock.calls[0]?.[0] as ErrorReport;
    expect(report.traceId).toBe(span?.spanContext().traceId);
    expect(report.spanId).toBe(span?.spanContext().spanId);
    expect(report.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

import { get as httpGet } from 'node:http';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService, route, ServiceError, Type } from 'wharf';
import { testService } from 'wharf/testing';
import { InMemorySpanExporter, SERVER_TRACER_NAME } from 'wharf/tracing';
import { spanNamed, tracedService } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const routes = [
  route({
    method: 'GET',
    url: '/cities/:id',
    name: 'getCity',
    params: Type.Object({ id: Type.Integer() }),
    handler: ({ params }) => {
      if (params.id === 500) throw new Error('database on fire');
      if (params.id === 503) throw new ServiceError({ status: 503, code: 'BUSY', message: 'Busy' });
      if (params.id === 404) throw new ServiceError({ status: 404, code: 'NONE', message: 'No' });
      return { id: params.id };
    },
  }),
  route({
    method: 'POST',
    url: '/cities',
    name: 'createCity',
    status: 201,
    body: Type.Object({ name: Type.String() }),
    handler: async ({ body }) => {
      // A child started after the body was parsed and after an await.
      await new Promise((resolve) => setTimeout(resolve, 1));
      return trace.getTracer('test').startActiveSpan('store city', async (span) => {
        span.end();
        return { name: body.name };
      });
    },
  }),
] as const;

async function start() {
  const traced = await tracedService(routes);
  closers.push(() => traced.t.close());
  return traced;
}

describe('request spans', () => {
  it('names the SERVER span after the method and route template, with HTTP attributes', async () => {
    const { t, spans } = await start();
    await t.client.getCity({ params: { id: 42 }, query: undefined });
    const span = spanNamed(await spans(), 'GET /cities/:id');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.instrumentationScope.name).toBe(SERVER_TRACER_NAME);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/cities/:id',
      'url.path': '/cities/42',
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('leaves the query string out of url.path', async () => {
    const { t, spans } = await start();
    await t.request({ method: 'GET', url: '/cities/7?token=secret' });
    const span = spanNamed(await spans(), 'GET /cities/:id');
    expect(span.attributes['url.path']).toBe('/cities/7');
    expect(JSON.stringify(span.attributes)).not.toContain('secret');
  });

  it('carries the service name, version and environment in the resource', async () => {
    const { t, spans } = await start();
    await t.client.getCity({ params: { id: 1 } });
    const span = spanNamed(await spans(), 'GET /cities/:id');
    expect(span.resource.attributes).toMatchObject({
      'service.name': 'cities',
      'service.version': '1.2.3',
      'deployment.environment.name': 'development',
    });
  });

  it('marks a 5xx as an error and records the exception', async () => {
    const { t, spans } = await start();
    const res = await t.client.getCity({ params: { id: 500 } });
    expect(res.status).toBe(500);
    const span = spanNamed(await spans(), 'GET /cities/:id');
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.attributes['error.type']).toBe('Error');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database on fire' });
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'database on fire',
    });
  });

  it('marks a thrown 503 ServiceError as an error with its class as error.type', async () => {
    const { t, spans } = await start();
    await t.client.getCity({ params: { id: 503 } });
    const span = spanNamed(await spans(), 'GET /cities/:id');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ServiceError');
  });

  it('does not mark a 4xx as an error', async () => {
    const { t, spans } = await start();
    const res = await t.client.getCity({ params: { id: 404 } });
    expect(res.status).toBe(404);
    const span = spanNamed(await spans(), 'GET /cities/:id');
    expect(span.attributes['http.response.status_code']).toBe(404);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
  });

  it('names an unmatched request by its method alone, without http.route', async () => {
    const { t, spans } = await start();
    const res = await t.request({ method: 'GET', url: '/nowhere/123' });
    expect(res.status).toBe(404);
    const span = spanNamed(await spans(), 'GET');
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(404);
  });

  it('runs the handler inside the request span, past body parsing and awaits', async () => {
    const { t, spans } = await start();
    const res = await t.client.createCity({ body: { name: 'Oslo' } });
    expect(res.status).toBe(201);
    const all = await spans();
    const server = spanNamed(all, 'POST /cities');
    const child = spanNamed(all, 'store city');
    expect(child.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(child.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });

  it('gives concurrent requests separate traces', async () => {
    const { t, spans } = await start();
    await Promise.all([1, 2, 3].map(() => t.client.createCity({ body: { name: 'x' } })));
    const all = await spans();
    const servers = all.filter((s) => s.name === 'POST /cities');
    expect(new Set(servers.map((s) => s.spanContext().traceId)).size).toBe(3);
    for (const child of all.filter((s) => s.name === 'store city')) {
      const parent = servers.find(
        (s) => s.spanContext().spanId === child.parentSpanContext?.spanId,
      );
      expect(parent?.spanContext().traceId).toBe(child.spanContext().traceId);
    }
  });
});

describe('aborted requests', () => {
  it('ends the request span when the client goes away before the answer', async () => {
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const exporter = new InMemorySpanExporter();
    const service = createService({
      name: 'cities',
      config: { log: { level: 'silent' }, http: { host: '127.0.0.1', port: 0 } },
      routes: [
        route({
          method: 'GET',
          url: '/slow',
          name: 'slow',
          handler: async () => {
            entered();
            await released;
            return 'late';
          },
        }),
      ],
      tracing: { exporter },
    });
    const url = await service.listen();
    closers.push(async () => {
      release();
      await service.stop();
    });

    const request = httpGet(`${url}/slow`);
    request.on('error', () => {});
    await handlerEntered;
    request.destroy();

    await vi.waitFor(async () => {
      await service.tracing?.forceFlush();
      const span = spanNamed(exporter.getFinishedSpans(), 'GET /slow');
      expect(span.events.map((e) => e.name)).toEqual(['request aborted by the client']);
    });
  });
});

/** How many hooks of each kind the root Fastify instance has (Fastify keeps them private). */
function hookCounts(app: object): Record<string, number> {
  const key = Object.getOwnPropertySymbols(app).find((s) => s.description === 'fastify.hooks');
  const hooks = (key ? (app as Record<symbol, unknown>)[key] : {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(hooks).map(([name, list]) => [name, Array.isArray(list) ? list.length : 0]),
  );
}

describe('tracing off', () => {
  it('installs no hooks when tracing.exporter is none', async () => {
    const off = createService({ name: 'cities', config: { log: { level: 'silent' } }, routes });
    const on = createService({
      name: 'cities',
      config: { log: { level: 'silent' } },
      routes,
      tracing: { exporter: new InMemorySpanExporter() },
    });
    expect(on.tracing).toBeUndefined(); // created by the first start hook
    // Fastify adds request hooks once the instance loads.
    for (const service of [off, on]) closers.push((await testService(service)).close);
    const offCounts = hookCounts(off.app);
    const onCounts = hookCounts(on.app);
    expect(offCounts.onRequest).toBeGreaterThan(0);
    const added = Object.fromEntries(
      Object.keys(onCounts)
        .map((name) => [name, (onCounts[name] ?? 0) - (offCounts[name] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
    // Its work on every request runs inside the service's own onRequest and onResponse
    // hooks, which both services have; these run on route registration and failures only.
    expect(added).toEqual({ onRoute: 1, onError: 1, onRequestAbort: 1 });
    expect(on.tracing).toBeDefined();
    expect(off.tracing).toBeUndefined();
  });

  it('runs handlers with no active span and writes no trace ids', async () => {
    const lines: Record<string, unknown>[] = [];
    let active: unknown = 'unset';
    const service = createService({
      name: 'cities',
      config: { log: { level: 'info' } },
      logDestination: { write: (chunk: string) => void lines.push(JSON.parse(chunk)) },
      routes: [
        route({
          method: 'GET',
          url: '/ping',
          name: 'ping',
          handler: ({ log }) => {
            active = trace.getActiveSpan();
            log.info('inside');
            return 'pong';
          },
        }),
      ],
    });
    const t = await testService(service);
    closers.push(() => t.close());
    expect((await t.client.ping()).status).toBe(200);
    expect(service.tracing).toBeUndefined();
    expect(active).toBeUndefined();
    const inside = lines.find((line) => line.msg === 'inside');
    expect(inside).toBeDefined();
    expect(inside).not.toHaveProperty('trace_id');
  });
});

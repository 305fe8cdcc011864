import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, logged, route, Type } from 'wharf';
import { createDatabase, TRACER_NAME as DB_TRACER_NAME } from 'wharf/db';
import { TRACER_NAME } from 'wharf/tracing';
import { spanNamed, tracedService } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** PGlite's first start (initdb in WebAssembly) takes seconds. */
const PGLITE_START_MS = 120_000;

describe('child spans', () => {
  it(
    'makes a database query inside a handler a child of the request span',
    async () => {
      const db = createDatabase({ url: '' });
      const traced = await tracedService([
        route({
          method: 'GET',
          url: '/answer',
          name: 'answer',
          handler: async () => ({ answer: await db.fetchval`select ${41}::int + 1` }),
        }),
      ]);
      closers.push(
        () => traced.t.close(),
        () => db.close(),
      );

      const res = await traced.t.client.answer();
      expect(res.data).toEqual({ answer: 42 });
      const spans = await traced.spans();
      const server = spanNamed(spans, 'GET /answer');
      const query = spans.find(
        (s) =>
          s.instrumentationScope.name === DB_TRACER_NAME &&
          s.parentSpanContext?.spanId === server.spanContext().spanId,
      );
      expect(query?.name).toBe('SELECT');
      expect(query?.kind).toBe(SpanKind.CLIENT);
      expect(query?.spanContext().traceId).toBe(server.spanContext().traceId);
      expect(query?.resource.attributes['service.name']).toBe('cities');
    },
    PGLITE_START_MS,
  );

  it('wraps a logged(fn, { tracing: true }) call in a child span that records its failure', async () => {
    const logger = createLogger({ name: 'cities', level: 'silent' });
    const loadCity = logged(
      async function loadCity(id: number) {
        if (id === 0) throw new Error('no city 0');
        return { id };
      },
      { logger, type: 'db', category: 'cities', tracing: true },
    );
    const traced = await tracedService([
      route({
        method: 'GET',
        url: '/cities/:id',
        name: 'getCity',
        params: Type.Object({ id: Type.Integer() }),
        handler: ({ params }) => loadCity(params.id),
      }),
    ]);
    closers.push(() => traced.t.close());

    await traced.t.client.getCity({ params: { id: 3 } });
    await traced.t.client.getCity({ params: { id: 0 } });
    const spans = await traced.spans();
    const [ok, failed] = spans.filter((s) => s.name === 'db/cities/loadCity');
    const servers = spans.filter((s) => s.name === 'GET /cities/:id');
    expect(servers).toHaveLength(2);
    expect(ok?.instrumentationScope.name).toBe(TRACER_NAME);
    expect(ok?.parentSpanContext?.spanId).toBe(servers[0]?.spanContext().spanId);
    expect(ok?.attributes).toMatchObject({
      'code.function.name': 'loadCity',
      'wharf.type': 'db',
      'wharf.category': 'cities',
    });
    expect(ok?.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed?.parentSpanContext?.spanId).toBe(servers[1]?.spanContext().spanId);
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no city 0' });
    expect(failed?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('makes no span for logged() without the tracing option', async () => {
    const logger = createLogger({ name: 'cities', level: 'silent' });
    const plain = logged(async function plainWork() {}, { logger, type: 'job' });
    const traced = await tracedService([
      route({ method: 'GET', url: '/work', name: 'work', handler: () => plain() }),
    ]);
    closers.push(() => traced.t.close());
    await traced.t.client.work();
    expect((await traced.spans()).map((s) => s.name)).toEqual(['GET /work']);
  });
});

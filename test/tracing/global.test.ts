import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createService, route } from 'wharf';
import { createMessaging, MemoryBrokerServer, useMessaging } from 'wharf/messaging';
import { createScheduler, useScheduler } from 'wharf/schedule';
import { testService } from 'wharf/testing';
import { createTracing, InMemorySpanExporter } from 'wharf/tracing';
import { tracedService } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A route that starts a span through the global API, as the database and clients do. */
const work = [
  route({
    method: 'GET',
    url: '/work',
    name: 'work',
    handler: () => {
      trace.getTracer('test').startSpan('child work').end();
      return 'done';
    },
  }),
] as const;

async function start(name: string) {
  const traced = await tracedService(work, { name });
  cleanups.push(() => traced.t.close());
  return traced;
}

function names(exporter: InMemorySpanExporter): string[] {
  return exporter
    .getFinishedSpans()
    .map((s) => `${s.resource.attributes['service.name']}:${s.name}`);
}

describe('several services in one process', () => {
  it('sends the spans started during a request to the service that handles it', async () => {
    const cities = await start('cities');
    const roles = await start('roles');
    await roles.t.client.work();
    await cities.t.client.work();
    await roles.spans();
    await cities.spans();
    expect(names(roles.exporter)).toEqual(['roles:child work', 'roles:GET /work']);
    expect(names(cities.exporter)).toEqual(['cities:child work', 'cities:GET /work']);
  });

  it("sends the spans of a service's jobs and consumers, and those started inside them, to that service", async () => {
    // Registered first: spans nobody claims would land here.
    const cities = await start('cities');
    const exporter = new InMemorySpanExporter();
    const stats = createService({
      name: 'stats',
      config: { log: { level: 'silent' } },
      routes: [],
      tracing: { exporter },
    });
    const scheduler = useScheduler(stats, createScheduler({ logger: stats.log }));
    let ticks = 0;
    scheduler.schedule('tally', '* * * * * *', () => {
      ticks++;
      trace.getTracer('test').startSpan('job work').end();
    });
    const messaging = useMessaging(
      stats,
      createMessaging({}, { server: new MemoryBrokerServer() }),
    );
    let consumed = 0;
    messaging.consume('visits', async () => {
      consumed++;
      trace.getTracer('test').startSpan('consumer work').end();
    });
    const t = await testService(stats);
    cleanups.push(() => t.close());
    // Published inside a span of cities: the in-memory broker delivers in the publisher's
    // context, and the consumer must still trace for stats.
    const citiesTracing = cities.service.tracing;
    const request = citiesTracing?.provider.getTracer('test').startSpan('cities request');
    if (!citiesTracing || !request) throw new Error('cities is not traced');
    await context.with(citiesTracing.contextWith(request), () =>
      messaging.publish('visits', '', { city: 1 }),
    );
    request.end();

    await expect.poll(() => ticks > 0 && consumed > 0, { timeout: 5_000 }).toBe(true);
    await stats.tracing?.forceFlush();
    await cities.spans();
    const mine = names(exporter);
    expect(mine).toEqual(expect.arrayContaining(['stats:job work', 'stats:schedule tally']));
    expect(mine).toEqual(expect.arrayContaining(['stats:consumer work', 'stats:process visits']));
    expect(names(cities.exporter).sort()).toEqual(['cities:cities request', 'cities:send visits']);
    const process = exporter.getFinishedSpans().find((span) => span.name === 'process visits');
    expect(process?.spanContext().traceId).toBe(request.spanContext().traceId);
  });

  it('keeps tracing the others when one stops, and restores the no-op API when the last stops', async () => {
    const cities = await start('cities');
    const roles = await start('roles');
    await cities.t.close();
    await roles.t.client.work();
    await roles.spans();
    expect(names(roles.exporter)).toEqual(['roles:child work', 'roles:GET /work']);
    // Outside any request, spans go to the earliest service still running.
    trace.getTracer('test').startSpan('background').end();
    await roles.spans();
    expect(names(roles.exporter)).toContain('roles:background');

    await roles.t.close();
    const span = trace.getTracer('test').startSpan('after');
    expect(span.isRecording()).toBe(false);
    span.end();
    const headers: Record<string, string> = {};
    const active = trace.setSpan(ROOT_CONTEXT, span);
    propagation.inject(active, headers);
    expect(headers).toEqual({});
    expect(context.with(active, () => context.active())).toBe(ROOT_CONTEXT);
  });

  it('can be created and shut down repeatedly', async () => {
    for (let i = 0; i < 3; i++) {
      const memory = new InMemorySpanExporter();
      const tracing = createTracing({}, { serviceName: `run-${i}`, exporter: memory });
      expect(tracing.registered).toBe(true);
      trace.getTracer('test').startSpan('work').end();
      await tracing.forceFlush();
      expect(names(memory)).toEqual([`run-${i}:work`]);
      await tracing.shutdown();
    }
  });
});

describe('another OpenTelemetry SDK', () => {
  it('is left in charge of the global API while Wharf still exports its request spans', async () => {
    const foreignSpans = new InMemorySpanExporter();
    const foreign = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(foreignSpans)],
    });
    trace.setGlobalTracerProvider(foreign);
    cleanups.push(async () => {
      trace.disable();
      await foreign.shutdown();
    });
    const warnings: unknown[] = [];
    const memory = new InMemorySpanExporter();
    const tracing = createTracing(
      {},
      {
        serviceName: 'cities',
        exporter: memory,
        logger: { warn: (m: unknown) => warnings.push(m) },
      },
    );
    cleanups.push(() => tracing.shutdown());

    expect(tracing.registered).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(trace.getTracerProvider().getTracer('x').startSpan('theirs')).toBeDefined();
    tracing.provider.getTracer('wharf').startSpan('ours').end();
    await tracing.forceFlush();
    expect(memory.getFinishedSpans().map((s) => s.name)).toEqual(['ours']);
    await tracing.shutdown();
    // Shutting Wharf's tracing down leaves the foreign provider registered.
    trace.getTracer('x').startSpan('still theirs').end();
    expect(foreignSpans.getFinishedSpans().map((s) => s.name)).toContain('still theirs');
  });
});

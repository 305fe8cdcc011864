import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { route } from 'wharf';
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

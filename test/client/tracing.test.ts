import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRACER_NAME } from 'wharf/client';
import { mockUpstreams } from 'wharf/testing';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterEach(() => {
  trace.disable();
  exporter.reset();
});

afterAll(async () => {
  propagation.disable();
  context.disable();
  await provider.shutdown();
});

function traceparentOf(headers: Record<string, string>) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(headers.traceparent ?? '');
  return match ? { traceId: match[1], spanId: match[2] } : undefined;
}

describe('trace propagation', () => {
  it('makes a CLIENT span per call and sends its context as traceparent', async () => {
    trace.setGlobalTracerProvider(provider);
    const upstreams = mockUpstreams();
    const cities = upstreams.clients().get('cities');
    const mock = upstreams.mock('cities');
    mock.get('/cities/1').replyData({ id: 1 });

    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('incoming', async (parent) => {
      await cities.get('/cities/1');
      parent.end();
    });

    const spans = exporter.getFinishedSpans();
    const client = spans.find((s) => s.instrumentationScope.name === TRACER_NAME);
    const parent = spans.find((s) => s.name === 'incoming');
    expect(client?.kind).toBe(SpanKind.CLIENT);
    expect(client?.name).toBe('GET');
    expect(client?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(client?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'peer.service': 'cities',
      'server.address': 'cities.test',
      'server.port': 80,
      'url.full': 'http://cities.test/cities/1',
    });
    const sent = traceparentOf(mock.calls[0]?.headers ?? {});
    expect(sent).toEqual({
      traceId: client?.spanContext().traceId,
      spanId: client?.spanContext().spanId,
    });
    await upstreams.close();
  });

  it('leaves the query out of url.full, since it may carry personal data', async () => {
    trace.setGlobalTracerProvider(provider);
    const upstreams = mockUpstreams();
    const cities = upstreams.clients().get('cities');
    upstreams
      .mock('cities')
      .get('/cities', { query: { email: 'a@b.c' } })
      .replyData([]);

    await cities.get('/cities', { query: { email: 'a@b.c' } });

    const client = exporter
      .getFinishedSpans()
      .find((s) => s.instrumentationScope.name === TRACER_NAME);
    expect(client?.attributes['url.full']).toBe('http://cities.test/cities');
    await upstreams.close();
  });

  it('marks a failed call as an error and counts its retries', async () => {
    trace.setGlobalTracerProvider(provider);
    const upstreams = mockUpstreams();
    const cities = upstreams.clients().get('cities');
    upstreams.mock('cities').get('/down').replyError(503, 'DOWN').persist();
    await expect(cities.get('/down')).rejects.toMatchObject({ upstreamStatus: 503 });
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      'http.response.status_code': 503,
      'http.request.resend_count': 2,
      'error.type': '503',
    });
    await upstreams.close();
  });

  it('carries the incoming trace on with no tracing SDK registered', async () => {
    const upstreams = mockUpstreams();
    const cities = upstreams.clients().get('cities');
    const mock = upstreams.mock('cities');
    mock.get('/cities/1').replyData({ id: 1 });
    const incoming = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    };
    await context.with(trace.setSpanContext(ROOT_CONTEXT, incoming), () => cities.get('/cities/1'));
    expect(traceparentOf(mock.calls[0]?.headers ?? {})).toEqual({
      traceId: incoming.traceId,
      spanId: incoming.spanId,
    });
    await upstreams.close();
  });

  it('sends no trace headers when there is no trace', async () => {
    const upstreams = mockUpstreams();
    const cities = upstreams.clients().get('cities');
    const mock = upstreams.mock('cities');
    mock.get('/cities/1').replyData({ id: 1 });
    await cities.get('/cities/1');
    expect(mock.calls[0]?.headers.traceparent).toBeUndefined();
    await upstreams.close();
  });
});

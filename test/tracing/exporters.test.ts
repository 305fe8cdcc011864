import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreConfig, createService, type DeepPartial, route, Type } from 'wharf';
import { testService } from 'wharf/testing';
import { createTracing, InMemorySpanExporter, SpanLinesExporter, spanLine } from 'wharf/tracing';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const routes = [
  route({
    method: 'GET',
    url: '/cities/:id',
    name: 'getCity',
    params: Type.Object({ id: Type.Integer() }),
    handler: ({ params }) => {
      if (params.id === 500) throw new Error('database on fire');
      return { id: params.id };
    },
  }),
] as const;

/** A started service configured to export its spans, and a way to flush them. */
async function exportingService(tracing: DeepPartial<CoreConfig['tracing']>) {
  const service = createService({
    name: 'cities',
    version: '1.2.3',
    config: { log: { level: 'silent' }, tracing },
    routes,
  });
  const t = await testService(service);
  cleanups.push(() => t.close());
  const flush = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await service.tracing?.forceFlush();
  };
  return { t, service, flush };
}

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A collector on 127.0.0.1 that records every request and answers `status`. */
async function collector(status: number, answer = '') {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { received, base: `http://127.0.0.1:${port}` };
}

describe('console exporter', () => {
  it('writes one JSON line per span with a fixed, documented shape', async () => {
    const memory = new InMemorySpanExporter();
    const tracing = createTracing({}, { serviceName: 'cities', exporter: memory });
    cleanups.push(() => tracing.shutdown());
    const tracer = tracing.provider.getTracer('test');
    const parent = tracer.startSpan('GET /cities/:id', {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/cities/:id' },
    });
    const child = tracer.startSpan(
      'SELECT',
      { kind: SpanKind.CLIENT, attributes: { 'db.rows': 2 } },
      tracing.contextWith(parent),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
    child.end();
    parent.end();
    await tracing.forceFlush();
    const [childSpan, parentSpan] = memory.getFinishedSpans();
    if (!childSpan || !parentSpan) throw new Error('spans missing');

    const destination = new PassThrough();
    let text = '';
    destination.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const exporter = new SpanLinesExporter({ destination });
    await new Promise((resolve) => exporter.export([childSpan, parentSpan], resolve));

    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const [childLine, parentLine] = lines.slice(0, 2).map((l) => JSON.parse(l));
    expect(Object.keys(childLine)).toEqual([
      'msg',
      'service',
      'trace_id',
      'span_id',
      'parent_id',
      'name',
      'kind',
      'start',
      'duration_ms',
      'status',
      'error',
      'attributes',
    ]);
    expect(childLine).toMatchObject({
      msg: 'span',
      service: 'cities',
      trace_id: parent.spanContext().traceId,
      span_id: child.spanContext().spanId,
      parent_id: parent.spanContext().spanId,
      name: 'SELECT',
      kind: 'client',
      status: 'error',
      error: 'timeout',
      attributes: { 'db.rows': 2 },
    });
    expect(new Date(childLine.start).toISOString()).toBe(childLine.start);
    expect(childLine.duration_ms).toBeGreaterThanOrEqual(0);
    expect(parentLine).toMatchObject({ parent_id: null, kind: 'server', status: 'unset' });
    expect(parentLine).not.toHaveProperty('error');
    expect(parentLine).toEqual(spanLine(parentSpan));
  });

  it('appends the spans of a service to tracing.file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-spans-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'spans.log');
    const { t, service } = await exportingService({ exporter: 'console', file });
    await t.client.getCity({ params: { id: 7 } });
    await new Promise((resolve) => setImmediate(resolve));
    await service.stop(); // flushes and closes the file

    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'span',
      service: 'cities',
      name: 'GET /cities/:id',
      kind: 'server',
      parent_id: null,
      status: 'unset',
      attributes: { 'http.route': '/cities/:id', 'http.response.status_code': 200 },
    });
  });
});

describe('zipkin exporter', () => {
  it('posts Zipkin v2 JSON to tracing.zipkinUrl', async () => {
    const zipkin = await collector(202);
    const { t, flush } = await exportingService({
      exporter: 'zipkin',
      zipkinUrl: `${zipkin.base}/api/v2/spans`,
    });
    await t.client.getCity({ params: { id: 500 } });
    await flush();

    expect(zipkin.received).toHaveLength(1);
    const [post] = zipkin.received;
    expect(post).toMatchObject({ method: 'POST', url: '/api/v2/spans' });
    expect(post?.headers['content-type']).toContain('application/json');
    const spans = JSON.parse(post?.body ?? '');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      name: 'GET /cities/:id',
      kind: 'SERVER',
      localEndpoint: { serviceName: 'cities' },
      tags: {
        'http.route': '/cities/:id',
        'http.response.status_code': '500',
        'service.version': '1.2.3',
        error: 'database on fire',
      },
    });
    expect(spans[0].timestamp).toBeTypeOf('number');
    expect(spans[0].duration).toBeTypeOf('number');
  });
});

describe('otlp exporter', () => {
  it('posts OTLP/HTTP JSON to tracing.otlpEndpoint followed by /v1/traces', async () => {
    const otlp = await collector(200, '{}');
    const { t, flush } = await exportingService({
      exporter: 'otlp',
      otlpEndpoint: `${otlp.base}/collector/`,
    });
    await t.client.getCity({ params: { id: 3 } });
    await flush();

    expect(otlp.received).toHaveLength(1);
    const [post] = otlp.received;
    expect(post).toMatchObject({ method: 'POST', url: '/collector/v1/traces' });
    expect(post?.headers['content-type']).toContain('application/json');
    const body = JSON.parse(post?.body ?? '');
    const resourceSpans = body.resourceSpans[0];
    expect(resourceSpans.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'cities' },
    });
    const span = resourceSpans.scopeSpans[0].spans[0];
    expect(span).toMatchObject({
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      name: 'GET /cities/:id',
      kind: 2,
    });
    expect(span.attributes).toContainEqual({
      key: 'http.route',
      value: { stringValue: '/cities/:id' },
    });
  });

  it('posts to tracing.otlpUrl as given when set', async () => {
    const otlp = await collector(200, '{}');
    const { t, flush } = await exportingService({
      exporter: 'otlp',
      otlpUrl: `${otlp.base}/custom/traces`,
      otlpEndpoint: 'http://127.0.0.1:1',
    });
    await t.client.getCity({ params: { id: 3 } });
    await flush();
    expect(otlp.received.map((r) => r.url)).toEqual(['/custom/traces']);
  });
});

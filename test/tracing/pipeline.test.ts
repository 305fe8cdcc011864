import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreConfig, createService, type DeepPartial, route } from 'wharf';
import { testService } from 'wharf/testing';
import {
  createTracing,
  MAX_PENDING_EXPORTS,
  type ReadableSpan,
  type SpanExporter,
  type Tracing,
} from 'wharf/tracing';
import { captureLog } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An exporter whose calls wait until the test answers them. */
class HeldExporter implements SpanExporter {
  readonly calls: { spans: ReadableSpan[]; answer: (result: ExportResult) => void }[] = [];
  exported = 0;
  /** Calls not answered yet. */
  pending = 0;
  maxPending = 0;
  shutdownCalls = 0;
  private answered = 0;

  constructor(private readonly shutdownHangs = false) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    this.calls.push({
      spans,
      answer: (result) => {
        this.pending--;
        if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
        done(result);
      },
    });
  }

  /** Answer the oldest unanswered call with success. */
  answerNext(): void {
    const call = this.calls[this.answered++];
    if (!call) throw new Error('no export waiting');
    call.answer({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    this.shutdownCalls++;
    return this.shutdownHangs ? new Promise(() => {}) : Promise.resolve();
  }
}

/** End `count` sampled spans on `tracing`'s provider. */
function endSpans(tracing: Tracing, count: number): void {
  const tracer = tracing.provider.getTracer('test');
  for (let i = 0; i < count; i++) tracer.startSpan(`work ${i}`).end();
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('bounded span queue', () => {
  it('drops and counts the spans that find the queue full, and exports the rest later', async () => {
    const exporter = new HeldExporter();
    const tracing = createTracing(
      { maxQueueSize: 4, maxExportBatchSize: 2, scheduledDelayMs: 60_000, exportTimeoutMs: 60_000 },
      { serviceName: 'cities', exporter },
    );
    cleanups.push(() => tracing.shutdown());

    endSpans(tracing, 2); // a full batch: exported at once, and held by the exporter
    endSpans(tracing, 4); // fills the queue while that export is out
    endSpans(tracing, 3); // finds it full
    expect(exporter.calls).toHaveLength(1);
    expect(tracing.dropped()).toBe(3);

    for (let i = 0; i < 3; i++) {
      exporter.answerNext();
      await tick();
    }
    expect(exporter.exported).toBe(6);
    expect(tracing.dropped()).toBe(3);
  });

  it('reports dropped spans as a warning, not once per span', async () => {
    const warnings: unknown[][] = [];
    const exporter = new HeldExporter();
    const tracing = createTracing(
      { maxQueueSize: 1, maxExportBatchSize: 1, scheduledDelayMs: 60_000, exportTimeoutMs: 50 },
      {
        serviceName: 'cities',
        exporter,
        logger: { warn: (...args: unknown[]) => warnings.push(args) },
      },
    );
    cleanups.push(() => tracing.shutdown());
    endSpans(tracing, 1); // exported, held
    endSpans(tracing, 1); // queued
    endSpans(tracing, 5); // dropped
    expect(tracing.dropped()).toBe(5);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toEqual([
      { dropped_spans: 1, reason: 'queue full' },
      'tracing dropped spans',
    ]);
  });
});

describe('a failing or hanging exporter', () => {
  const ping = [
    route({ method: 'GET', url: '/ping', name: 'ping', handler: () => 'pong' }),
  ] as const;

  async function storm(exporter: SpanExporter, tracing: DeepPartial<CoreConfig['tracing']>) {
    const log = captureLog();
    const service = createService({
      name: 'cities',
      config: { log: { level: 'warn' }, tracing },
      logDestination: log.destination,
      routes: ping,
      tracing: { exporter },
    });
    const t = await testService(service);
    cleanups.push(() => t.close());
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => t.client.ping()));
      statuses.push(...replies.map((r) => r.status));
      await tick();
    }
    return { service, t, statuses, log, handle: service.tracing as Tracing };
  }

  it('never fails a request, holds a bounded number of exports and counts every lost span', async () => {
    const exporter = new HeldExporter(true); // never answers, and its shutdown hangs too
    const { service, statuses, handle, log } = await storm(exporter, {
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduledDelayMs: 1,
      exportTimeoutMs: 50,
    });

    expect(statuses).toHaveLength(200);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(exporter.maxPending).toBeLessThanOrEqual(MAX_PENDING_EXPORTS);
    expect(handle.dropped()).toBeGreaterThan(0);
    expect(log.lines.some((line) => line.msg === 'tracing dropped spans')).toBe(true);

    // Bounded by exportTimeoutMs although the exporter never answers: else the test times out.
    await service.stop();
    expect(exporter.exported).toBe(0);
    expect(handle.dropped()).toBe(200);
    expect(exporter.shutdownCalls).toBe(1);
  });

  it('counts the spans of failed exports, and of exporters that throw', async () => {
    const failing: SpanExporter = {
      export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error('503') }),
      shutdown: async () => {},
    };
    const throwing: SpanExporter = {
      export: () => {
        throw new Error('exporter bug');
      },
      shutdown: async () => {},
    };
    for (const exporter of [failing, throwing]) {
      const { statuses, handle, service } = await storm(exporter, { scheduledDelayMs: 1 });
      expect(statuses.every((status) => status === 200)).toBe(true);
      await service.stop();
      expect(handle.dropped()).toBe(200);
    }
  });

  it('keeps serving when the console exporter cannot write its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-spans-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const service = createService({
      name: 'cities',
      config: {
        log: { level: 'silent' },
        tracing: { exporter: 'console', file: join(dir, 'missing', 'spans.log') },
      },
      routes: ping,
    });
    const t = await testService(service);
    cleanups.push(() => t.close());
    const replies = await Promise.all(Array.from({ length: 5 }, () => t.client.ping()));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const handle = service.tracing as Tracing;
    await tick();
    await handle.forceFlush();
    await service.stop();
    expect(handle.dropped()).toBe(5);
  });
});

describe('shutdown', () => {
  it('counts the spans still queued when the exporter does not answer in time', async () => {
    const exporter = new HeldExporter(true);
    const tracing = createTracing(
      { scheduledDelayMs: 60_000, exportTimeoutMs: 20 },
      { serviceName: 'cities', exporter },
    );
    endSpans(tracing, 7);
    await tracing.shutdown();
    expect(tracing.dropped()).toBe(7);
    expect(exporter.calls).toHaveLength(1);
  });

  it('flushes what is queued to an exporter that answers', async () => {
    const exporter = new HeldExporter();
    const tracing = createTracing(
      { scheduledDelayMs: 60_000, exportTimeoutMs: 5_000 },
      { serviceName: 'cities', exporter },
    );
    endSpans(tracing, 3);
    const stopped = tracing.shutdown();
    await tick();
    exporter.answerNext();
    await stopped;
    expect(exporter.exported).toBe(3);
    expect(tracing.dropped()).toBe(0);
    expect(exporter.shutdownCalls).toBe(1);
  });
});

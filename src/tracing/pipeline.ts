import { type Context, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** Why spans never reached the backend. */
export type DropReason = 'queue full' | 'export failed' | 'export timed out' | 'shutdown';

export interface SpanPipelineOptions {
  /** Finished spans waiting for export; beyond it spans are dropped. */
  maxQueueSize: number;
  /** Most spans per export. */
  maxExportBatchSize: number;
  /** Longest wait of a finished span before an export. */
  scheduledDelayMs: number;
  /** Longest time of one export, and of the final flush. */
  exportTimeoutMs: number;
  /** Told about every loss, as it happens. */
  onDrop?: (count: number, reason: DropReason, error?: Error) => void;
}

/**
 * Exporter calls allowed to run at once, calls that timed out but never answered included:
 * an exporter that hangs holds at most this many batches, however long it hangs.
 */
export const MAX_PENDING_EXPORTS = 2;

/** The span processor of a tracing handle and the count of what it lost. */
export interface SpanPipeline {
  readonly processor: SpanProcessor;
  /** Spans lost so far: queue full, failed or timed-out exports, still queued at shutdown. */
  dropped(): number;
}

/**
 * OpenTelemetry's BatchSpanProcessor, bounded on both sides so a slow, failing or hanging
 * exporter can only ever cost spans, never requests:
 *
 * - in front, a gate that keeps at most `maxQueueSize` spans queued. Ending a span never
 *   waits: a span that finds the queue full is dropped and counted (the batch processor
 *   itself only reports such drops to its diagnostic log);
 * - behind, a guard around the exporter that answers every export within
 *   `exportTimeoutMs`, runs at most `MAX_PENDING_EXPORTS` exporter calls at once and
 *   counts the spans of every export that failed or timed out;
 * - shutdown flushes what is queued within `exportTimeoutMs`, then gives up and counts
 *   whatever is left.
 */
export function createSpanPipeline(
  exporter: SpanExporter,
  options: SpanPipelineOptions,
): SpanPipeline {
  let dropped = 0;
  const drop = (count: number, reason: DropReason, error?: Error): void => {
    if (count <= 0) return;
    dropped += count;
    options.onDrop?.(count, reason, error);
  };
  const gate = new QueueGate(options, drop);
  const guard = new ExportGuard(exporter, options.exportTimeoutMs, {
    taken: (count) => gate.taken(count),
    drop,
  });
  gate.attach(
    new BatchSpanProcessor(guard, {
      // Every value is given: the processor would otherwise read OTEL_BSP_* from the
      // process environment behind the configuration's back.
      maxQueueSize: options.maxQueueSize,
      maxExportBatchSize: Math.min(options.maxExportBatchSize, options.maxQueueSize),
      scheduledDelayMillis: options.scheduledDelayMs,
      exportTimeoutMillis: options.exportTimeoutMs,
    }),
    guard,
  );
  return { processor: gate, dropped: () => dropped };
}

type Drop = (count: number, reason: DropReason, error?: Error) => void;

/** Bounds the batch processor's queue and counts what does not fit. */
class QueueGate implements SpanProcessor {
  readonly #maxQueueSize: number;
  readonly #timeoutMs: number;
  readonly #drop: Drop;
  #batch: SpanProcessor | undefined;
  #guard: ExportGuard | undefined;
  /** Spans handed to the batch processor and not yet to the exporter. */
  #queued = 0;
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(options: SpanPipelineOptions, drop: Drop) {
    this.#maxQueueSize = options.maxQueueSize;
    this.#timeoutMs = options.exportTimeoutMs;
    this.#drop = drop;
  }

  attach(batch: SpanProcessor, guard: ExportGuard): void {
    this.#batch = batch;
    this.#guard = guard;
  }

  /** The batch processor handed `count` queued spans to the exporter. */
  taken(count: number): void {
    this.#queued = Math.max(0, this.#queued - count);
  }

  onStart(span: Span, parentContext: Context): void {
    this.#batch?.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.#closed || !this.#batch) return;
    // The batch processor ignores unsampled spans; they take no room.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#queued >= this.#maxQueueSize) {
      this.#drop(1, 'queue full');
      return;
    }
    this.#queued++;
    this.#batch.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await this.#batch?.forceFlush();
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= this.#close();
    return this.#shutdown;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const batch = this.#batch;
    const guard = this.#guard;
    if (!batch || !guard) return;
    const deadline = performance.now() + this.#timeoutMs;
    // Flushes the queue through the guard, then shuts the exporter down.
    await settleWithin(batch.shutdown(), this.#timeoutMs);
    guard.abandon();
    this.#drop(this.#queued, 'shutdown');
    this.#queued = 0;
    // The batch processor skips the exporter's shutdown when its last flush failed.
    await settleWithin(guard.shutdown(), Math.max(0, deadline - performance.now()));
  }
}

interface OpenExport {
  readonly spans: ReadableSpan[];
  readonly done: (result: ExportResult) => void;
  timer: NodeJS.Timeout | undefined;
  answered: boolean;
}

/** Answers every export in bounded time, whatever the exporter does. */
class ExportGuard implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #timeoutMs: number;
  readonly #events: { taken(count: number): void; drop: Drop };
  /** Exporter calls that have not answered yet, timed-out ones included. */
  #running = 0;
  readonly #waiting: OpenExport[] = [];
  readonly #open = new Set<OpenExport>();
  #closed = false;
  #shutdown: Promise<void> | undefined;

  constructor(
    inner: SpanExporter,
    timeoutMs: number,
    events: { taken(count: number): void; drop: Drop },
  ) {
    this.#inner = inner;
    this.#timeoutMs = timeoutMs;
    this.#events = events;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#events.taken(spans.length);
    if (this.#closed) {
      this.#events.drop(spans.length, 'shutdown');
      done({ code: ExportResultCode.FAILED, error: new Error('Tracing is shut down') });
      return;
    }
    const entry: OpenExport = { spans, done, timer: undefined, answered: false };
    entry.timer = setTimeout(() => this.#expire(entry), this.#timeoutMs);
    // A pending export must not keep the process alive; shutdown() flushes for real.
    entry.timer.unref();
    this.#open.add(entry);
    if (this.#running < MAX_PENDING_EXPORTS) this.#start(entry);
    else this.#waiting.push(entry);
  }

  #start(entry: OpenExport): void {
    this.#running++;
    let returned = false;
    const onResult = (result: ExportResult): void => {
      if (returned) return;
      returned = true;
      this.#running--;
      this.#answer(entry, result, 'export failed');
      this.#startWaiting();
    };
    try {
      this.#inner.export(entry.spans, onResult);
    } catch (err) {
      onResult({ code: ExportResultCode.FAILED, error: asError(err) });
    }
  }

  #startWaiting(): void {
    while (!this.#closed && this.#running < MAX_PENDING_EXPORTS) {
      const next = this.#waiting.shift();
      if (!next) return;
      this.#start(next);
    }
  }

  #answer(entry: OpenExport, result: ExportResult, reason: DropReason): void {
    if (entry.answered) return;
    entry.answered = true;
    clearTimeout(entry.timer);
    this.#open.delete(entry);
    if (result.code !== ExportResultCode.SUCCESS) {
      this.#events.drop(entry.spans.length, reason, result.error);
    }
    entry.done(result);
  }

  #expire(entry: OpenExport): void {
    const waiting = this.#waiting.indexOf(entry);
    if (waiting >= 0) this.#waiting.splice(waiting, 1);
    const error = new Error(`Span export did not finish within ${this.#timeoutMs} ms`);
    this.#answer(entry, { code: ExportResultCode.FAILED, error }, 'export timed out');
  }

  /** Answer every open export as failed and accept no more; their spans count as dropped. */
  abandon(): void {
    this.#closed = true;
    this.#waiting.length = 0;
    const error = new Error('Tracing shut down before the export finished');
    for (const entry of [...this.#open]) {
      this.#answer(entry, { code: ExportResultCode.FAILED, error }, 'shutdown');
    }
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= Promise.resolve().then(() => this.#inner.shutdown());
    return this.#shutdown;
  }
}

/** Wait for `promise` to settle, but no longer than `ms`; its outcome is ignored. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise.then(noop, noop), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

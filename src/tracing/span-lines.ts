import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { type AttributeValue, SpanStatusCode } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { roundMs } from '../log/duration.js';

/**
 * One finished span as a JSON line: the shape the `console` exporter writes, stable so
 * log shippers (fluentd, Logstash, Vector) can parse it. `msg` is always `"span"`, which
 * tells span lines from log lines when both go to stdout.
 */
export interface SpanLine {
  msg: 'span';
  /** `service.name` of the span's resource. */
  service: string;
  /** 32 lowercase hex digits. */
  trace_id: string;
  /** 16 lowercase hex digits. */
  span_id: string;
  /** The parent's span id, or null for the root of a trace. */
  parent_id: string | null;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** Start time, ISO 8601 in UTC with milliseconds. */
  start: string;
  duration_ms: number;
  status: 'unset' | 'ok' | 'error';
  /** The status message; only on spans whose status is `error` and that have one. */
  error?: string;
  attributes: Record<string, AttributeValue | undefined>;
}

// Indexed by the numeric values of SpanKind and SpanStatusCode.
const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUSES = ['unset', 'ok', 'error'] as const;

/** The line written for `span`. */
export function spanLine(span: ReadableSpan): SpanLine {
  const { traceId, spanId } = span.spanContext();
  const { code, message } = span.status;
  return {
    msg: 'span',
    service: String(span.resource.attributes['service.name'] ?? ''),
    trace_id: traceId,
    span_id: spanId,
    parent_id: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    start: new Date(hrTimeToMilliseconds(span.startTime)).toISOString(),
    duration_ms: roundMs(hrTimeToMilliseconds(span.duration)),
    status: STATUSES[code] ?? 'unset',
    // Left out of the line when undefined; written this way rather than spread in, which
    // costs several times more per span.
    error: code === SpanStatusCode.ERROR && message ? message : undefined,
    // Last, so the fixed fields come first on every line. A finished span's attributes
    // no longer change, so they are written as they are.
    attributes: span.attributes,
  };
}

export interface SpanLinesExporterOptions {
  /** File the lines are appended to (created when missing). */
  file?: string;
  /** Stream the lines are written to; stdout unless `file` or this is given. */
  destination?: Writable;
}

/** Writes each span as one JSON line (see `SpanLine`): spans as logs. */
export class SpanLinesExporter implements SpanExporter {
  readonly #stream: Writable;
  readonly #ownsStream: boolean;
  #error: Error | undefined;

  constructor(options: SpanLinesExporterOptions = {}) {
    if (options.destination) {
      this.#stream = options.destination;
      this.#ownsStream = false;
    } else if (options.file) {
      this.#stream = createWriteStream(options.file, { flags: 'a' });
      this.#ownsStream = true;
      // An unwritable file fails the exports (their spans count as dropped); unhandled,
      // the error event would end the process.
      this.#stream.on('error', (err) => {
        this.#error = err;
      });
    } else {
      this.#stream = process.stdout;
      this.#ownsStream = false;
    }
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#error) {
      done({ code: ExportResultCode.FAILED, error: this.#error });
      return;
    }
    let text = '';
    for (const span of spans) text += `${JSON.stringify(spanLine(span))}\n`;
    this.#stream.write(text, (err) => {
      done(
        err ? { code: ExportResultCode.FAILED, error: err } : { code: ExportResultCode.SUCCESS },
      );
    });
  }

  async forceFlush(): Promise<void> {}

  shutdown(): Promise<void> {
    const stream = this.#stream;
    if (!this.#ownsStream || stream.destroyed || stream.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      stream.end(() => resolve());
    });
  }
}

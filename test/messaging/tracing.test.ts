import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TRACER_NAME } from 'wharf/messaging';
import {
  createTracing,
  InMemorySpanExporter,
  type ReadableSpan,
  type Tracing,
  withSpan,
} from 'wharf/tracing';
import { BrokerHarness, brokerNames, eventually } from './brokers.js';

let harness: BrokerHarness | undefined;
let tracing: Tracing | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
  await tracing?.shutdown();
  tracing = undefined;
});

function traced() {
  const exporter = new InMemorySpanExporter();
  tracing = createTracing({}, { serviceName: 'shop', exporter });
  const current = tracing;
  return {
    async spans(): Promise<ReadableSpan[]> {
      await current.forceFlush();
      return exporter.getFinishedSpans();
    },
  };
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

describe.each(brokerNames)('message tracing (%s broker)', (broker) => {
  it('makes each consumed message a CONSUMER span whose parent is the publish span, with trace ids in its logs', async () => {
    harness = new BrokerHarness(broker);
    const { spans } = traced();
    const { logger, lines } = logLines();
    const queue = harness.queue('orders');
    const messaging = harness.messaging({ logger });
    messaging.consume(queue, async (_order, message) => {
      await withSpan('reserve stock', async () => {});
      message.log.info('order handled');
    });
    await messaging.start();
    const messageId = await withSpan('POST /orders', () => messaging.publish(queue, '', { id: 1 }));

    await eventually(async () => named(await spans(), `process ${queue}`).length === 1);
    const all = await spans();
    const [request] = named(all, 'POST /orders');
    const [send] = named(all, `send ${queue}`);
    const [process] = named(all, `process ${queue}`);
    const [child] = named(all, 'reserve stock');

    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.instrumentationScope.name).toBe(TRACER_NAME);
    expect(send?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(process?.kind).toBe(SpanKind.CONSUMER);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(process?.spanContext().traceId).toBe(request?.spanContext().traceId);
    expect(process?.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.destination.name': queue,
      'messaging.message.id': messageId,
      'wharf.messaging.attempt': 1,
    });
    // Spans of the handler's own work are children of the message's span.
    expect(child?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);

    const line = lines.find((l) => l.msg === 'order handled');
    expect(line).toMatchObject({
      trace_id: process?.spanContext().traceId,
      span_id: process?.spanContext().spanId,
      queue,
      message_id: messageId,
      attempt: 1,
    });
  });

  it('gives every attempt of a retried message its own span under the publish span, failures recorded', async () => {
    harness = new BrokerHarness(broker);
    const { spans } = traced();
    const queue = harness.queue('payments');
    const messaging = harness.messaging();
    messaging.consume(
      queue,
      (_payment, message) => {
        if (message.attempt === 1) throw new Error('gateway timeout');
      },
      { retries: 1, retryDelayMs: 30 },
    );
    await messaging.start();
    await messaging.publish(queue, '', { amount: 10 });

    await eventually(async () => named(await spans(), `process ${queue}`).length === 2);
    const all = await spans();
    const [send] = named(all, `send ${queue}`);
    const attempts = named(all, `process ${queue}`);
    expect(attempts.map((s) => s.parentSpanContext?.spanId)).toEqual([
      send?.spanContext().spanId,
      send?.spanContext().spanId,
    ]);
    expect(attempts.map((s) => s.attributes['wharf.messaging.attempt'])).toEqual([1, 2]);
    expect(attempts[0]?.status).toMatchObject({
      code: SpanStatusCode.ERROR,
      message: 'gateway timeout',
    });
    expect(attempts[1]?.status.code).not.toBe(SpanStatusCode.ERROR);
  });
});

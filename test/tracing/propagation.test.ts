import { context, propagation, type SpanContext } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreConfig, type DeepPartial, route } from 'wharf';
import { PARENT_ID, spanNamed, TRACE_ID, tracedService } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Answers with the trace headers an outgoing call made by the handler would carry. */
const routes = [
  route({
    method: 'GET',
    url: '/outgoing',
    name: 'outgoing',
    handler: () => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      const baggage = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      return { headers, baggage: baggage ?? null };
    },
  }),
] as const;

async function start(config: DeepPartial<CoreConfig> = {}) {
  const traced = await tracedService(routes, { config });
  closers.push(() => traced.t.close());
  return traced;
}

type Outgoing = { headers: Record<string, string>; baggage: string | null };

async function call(traced: Awaited<ReturnType<typeof start>>, headers: Record<string, string>) {
  const res = await traced.t.client.outgoing({ headers });
  expect(res.status).toBe(200);
  const span = spanNamed(await traced.spans(), 'GET /outgoing');
  return { span, out: res.data as Outgoing };
}

function expectChildOfIncoming(parent: SpanContext | undefined, traceId: string) {
  expect(parent).toMatchObject({ traceId, spanId: PARENT_ID, isRemote: true });
}

describe('incoming trace headers', () => {
  it('continues a W3C traceparent', async () => {
    const { span } = await call(await start(), {
      traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
    });
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expectChildOfIncoming(span.parentSpanContext, TRACE_ID);
  });

  it('continues a single b3 header', async () => {
    const { span } = await call(await start(), { b3: `${TRACE_ID}-${PARENT_ID}-1` });
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expectChildOfIncoming(span.parentSpanContext, TRACE_ID);
  });

  it('continues X-B3-* headers', async () => {
    const { span } = await call(await start(), {
      'X-B3-TraceId': TRACE_ID,
      'X-B3-SpanId': PARENT_ID,
      'X-B3-Sampled': '1',
    });
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expectChildOfIncoming(span.parentSpanContext, TRACE_ID);
  });

  it('reads both B3 forms when only the single-header form is configured', async () => {
    const { span } = await call(await start({ tracing: { propagators: ['b3'] } }), {
      'X-B3-TraceId': TRACE_ID,
      'X-B3-SpanId': PARENT_ID,
      'X-B3-Sampled': '1',
    });
    expectChildOfIncoming(span.parentSpanContext, TRACE_ID);
  });

  it('prefers the first listed format when a request carries two different parents', async () => {
    const other = 'a'.repeat(32);
    const headers = {
      traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
      b3: `${other}-${PARENT_ID}-1`,
    };
    const w3cFirst = await call(await start(), headers);
    expect(w3cFirst.span.spanContext().traceId).toBe(TRACE_ID);
    const b3First = await call(
      await start({ tracing: { propagators: ['b3', 'tracecontext'] } }),
      headers,
    );
    expect(b3First.span.spanContext().traceId).toBe(other);
  });

  it('starts a new trace when the header is malformed', async () => {
    const { span } = await call(await start(), { traceparent: '00-not-a-trace-01' });
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('ignores every header with propagators none', async () => {
    const { span, out } = await call(await start({ tracing: { propagators: ['none'] } }), {
      traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
    });
    expect(span.spanContext().traceId).not.toBe(TRACE_ID);
    expect(out.headers).toEqual({});
  });
});

describe('outgoing trace headers', () => {
  it('writes W3C and B3 headers naming the request span as the parent', async () => {
    const { span, out } = await call(await start(), {
      traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
    });
    const spanId = span.spanContext().spanId;
    expect(out.headers).toMatchObject({
      traceparent: `00-${TRACE_ID}-${spanId}-01`,
      'x-b3-traceid': TRACE_ID,
      'x-b3-spanid': spanId,
      'x-b3-sampled': '1',
    });
    expect(out.headers).not.toHaveProperty('b3');
  });

  it('writes the single b3 header as well when configured', async () => {
    const { span, out } = await call(
      await start({ tracing: { propagators: ['tracecontext', 'b3', 'b3multi'] } }),
      {},
    );
    const { traceId, spanId } = span.spanContext();
    expect(out.headers).toMatchObject({
      traceparent: `00-${traceId}-${spanId}-01`,
      b3: `${traceId}-${spanId}-1`,
      'x-b3-traceid': traceId,
    });
  });

  it('passes W3C baggage through', async () => {
    const { out } = await call(await start(), { baggage: 'tenant=acme' });
    expect(out.baggage).toBe('acme');
    expect(out.headers.baggage).toBe('tenant=acme');
  });

  it('passes on a caller’s decision not to sample', async () => {
    const traced = await start();
    const res = await traced.t.client.outgoing({
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` },
    });
    const out = res.data as Outgoing;
    expect(out.headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(out.headers['x-b3-sampled']).toBe('0');
    expect(await traced.spans()).toEqual([]);
  });
});

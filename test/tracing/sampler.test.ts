import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreConfig, type DeepPartial, route } from 'wharf';
import { createSampler } from 'wharf/tracing';
import { PARENT_ID, TRACE_ID, tracedService } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

// The ratio sampler compares the trace id (its 32-bit words XORed) with ratio × 2^32.
const LOW_TRACE_ID = '00000000000000000000000000000001';
const HIGH_TRACE_ID = 'ffffffff000000000000000000000000';

function decide(config: Parameters<typeof createSampler>[0], traceId: string) {
  return createSampler(config).shouldSample(ROOT_CONTEXT, traceId, 'GET /', SpanKind.SERVER, {}, [])
    .decision;
}

describe('createSampler', () => {
  it('keeps a trace by its id under traceidratio, the same way in every service', () => {
    const half = { sampler: 'traceidratio', sampleRatio: 0.5 } as const;
    expect(decide(half, LOW_TRACE_ID)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(half, HIGH_TRACE_ID)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ ...half, sampleRatio: 0 }, LOW_TRACE_ID)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ ...half, sampleRatio: 1 }, HIGH_TRACE_ID)).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it('applies the ratio to new traces under parentbased_traceidratio', () => {
    const half = { sampler: 'parentbased_traceidratio', sampleRatio: 0.5 } as const;
    expect(decide(half, LOW_TRACE_ID)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(half, HIGH_TRACE_ID)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('ignores the ratio for the always samplers', () => {
    expect(decide({ sampler: 'always_on', sampleRatio: 0 }, HIGH_TRACE_ID)).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    expect(decide({ sampler: 'always_off', sampleRatio: 1 }, LOW_TRACE_ID)).toBe(
      SamplingDecision.NOT_RECORD,
    );
  });
});

const routes = [
  route({ method: 'GET', url: '/ping', name: 'ping', handler: () => 'pong' }),
] as const;

/** How many request spans one root request and one with the given parent flags produce. */
async function exported(tracing: DeepPartial<CoreConfig['tracing']>, parentFlags: '00' | '01') {
  const traced = await tracedService(routes, { config: { tracing } });
  closers.push(() => traced.t.close());
  await traced.t.client.ping();
  const root = (await traced.spans()).length;
  traced.exporter.reset();
  await traced.t.client.ping({
    headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-${parentFlags}` },
  });
  const child = (await traced.spans()).length;
  return { root, child };
}

describe('sampling requests', () => {
  it('records every request by default', async () => {
    expect(await exported({}, '01')).toEqual({ root: 1, child: 1 });
  });

  it('follows a sampled caller even when new traces are never recorded', async () => {
    expect(await exported({ sampleRatio: 0 }, '01')).toEqual({ root: 0, child: 1 });
    expect(await exported({ sampler: 'parentbased_always_off' }, '01')).toEqual({
      root: 0,
      child: 1,
    });
  });

  it('follows a caller that did not sample', async () => {
    expect(await exported({ sampleRatio: 1 }, '00')).toEqual({ root: 1, child: 0 });
  });

  it('decides alone with the non-parent-based samplers', async () => {
    expect(await exported({ sampler: 'always_on' }, '00')).toEqual({ root: 1, child: 1 });
    expect(await exported({ sampler: 'always_off' }, '01')).toEqual({ root: 0, child: 0 });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { route, Type } from 'wharf';
import { captureLog, spanNamed, TRACE_ID, tracedService } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const routes = [
  route({
    method: 'POST',
    url: '/cities/:id',
    name: 'renameCity',
    params: Type.Object({ id: Type.Integer() }),
    body: Type.Object({ name: Type.String() }),
    handler: async ({ params, log }) => {
      log.info('renaming city');
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (params.id === 500) throw new Error('disk full');
      return { id: params.id };
    },
  }),
] as const;

describe('trace ids in logs', () => {
  it('writes trace_id and span_id of the request span on every request line, the access line included', async () => {
    const log = captureLog();
    const { t, spans } = await tracedService(routes, {
      config: { log: { level: 'info' } },
      logDestination: log.destination,
    });
    closers.push(() => t.close());
    await t.client.renameCity({ params: { id: 1 }, body: { name: 'Lyon' } });

    const span = spanNamed(await spans(), 'POST /cities/:id');
    const { traceId, spanId } = span.spanContext();
    const handlerLine = log.lines.find((line) => line.msg === 'renaming city');
    const accessLine = log.lines.find((line) => line.msg === 'request');
    for (const line of [handlerLine, accessLine]) {
      expect(line).toMatchObject({ trace_id: traceId, span_id: spanId });
      expect(line?.req_id).toBeTypeOf('string');
    }
  });

  it('writes the ids on the error line of a failed request too, with the caller’s trace id', async () => {
    const log = captureLog();
    const { t, spans } = await tracedService(routes, {
      config: { log: { level: 'info' } },
      logDestination: log.destination,
    });
    closers.push(() => t.close());
    await t.client.renameCity({
      params: { id: 500 },
      body: { name: 'Lyon' },
      headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });

    const span = spanNamed(await spans(), 'POST /cities/:id');
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    const errorLine = log.lines.find((line) => line.level === 'error');
    expect(errorLine).toMatchObject({ trace_id: TRACE_ID, span_id: span.spanContext().spanId });
  });
});

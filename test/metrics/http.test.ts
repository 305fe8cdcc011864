import { describe, expect, it } from 'vitest';
import { createService, route, Type } from 'wharf';
import type { Registry } from 'wharf/metrics';
import { testService } from 'wharf/testing';
import { sample, seriesOf, textOf } from './helpers.js';

const DURATION = 'http_server_request_duration_seconds';

function itemsService(config: Parameters<typeof createService>[0]['config'] = {}) {
  // Read by a handler of the service it belongs to.
  let registry: Registry | undefined;
  const service = createService({
    name: 'items',
    config: { log: { level: 'silent' }, ...config },
    routes: [
      route({
        method: 'GET',
        url: '/items/:id',
        name: 'getItem',
        params: Type.Object({ id: Type.String() }),
        response: Type.Object({ id: Type.String() }),
        handler: (request) => ({ id: request.params.id }),
      }),
      route({
        method: 'POST',
        url: '/items',
        name: 'createItem',
        status: 201,
        handler: () => null,
      }),
      route({
        method: 'GET',
        url: '/busy',
        name: 'busy',
        response: Type.Object({ active: Type.Number() }),
        handler: async () => ({
          active: (await sample(registry, 'http_server_active_requests')) ?? -1,
        }),
      }),
    ],
  });
  registry = service.metrics;
  return service;
}

describe('HTTP metrics', () => {
  it('serves the registry at /metrics in the Prometheus text format', async () => {
    const t = await testService(itemsService());
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(t.service.metrics?.contentType);
    expect(res.body).toContain(`# TYPE ${DURATION} histogram`);
    await t.close();
  });

  it('times each request by route template, method and status code', async () => {
    const t = await testService(itemsService());
    await t.client.getItem({ params: { id: 'a' } });
    await t.client.getItem({ params: { id: 'b' } });
    await t.client.createItem();
    const registry = t.service.metrics;
    const labels = { route: '/items/:id', method: 'GET', status_code: '200' };
    expect(await sample(registry, `${DURATION}_count`, labels)).toBe(2);
    expect(await sample(registry, `${DURATION}_bucket`, { ...labels, le: '+Inf' })).toBe(2);
    expect(
      await sample(registry, `${DURATION}_count`, {
        route: '/items',
        method: 'POST',
        status_code: '201',
      }),
    ).toBe(1);
    await t.close();
  });

  it('labels requests no route matched with a fixed route, never their path', async () => {
    const t = await testService(itemsService());
    expect((await t.request({ method: 'GET', url: '/nowhere/secret-token' })).status).toBe(404);
    expect((await t.request({ method: 'DELETE', url: '/items/1' })).status).toBe(405);
    const registry = t.service.metrics;
    expect(
      await sample(registry, `${DURATION}_count`, {
        route: '__unmatched',
        method: 'GET',
        status_code: '404',
      }),
    ).toBe(1);
    expect(
      await sample(registry, `${DURATION}_count`, {
        route: '__unmatched',
        method: 'DELETE',
        status_code: '405',
      }),
    ).toBe(1);
    expect(await registry?.metrics()).not.toContain('secret-token');
    await t.close();
  });

  it('keeps one label set for 1,000 distinct ids of one route', async () => {
    const t = await testService(itemsService());
    const buckets = t.service.config.metrics.buckets.length;
    for (let i = 0; i < 1_000; i++) {
      await t.client.getItem({ params: { id: `item-${i}-x` } });
    }
    const text = textOf(await t.request({ method: 'GET', url: '/metrics' }));
    // One series per bucket, +Inf, _sum and _count.
    expect(seriesOf(text, DURATION)).toHaveLength((buckets + 3) * 1);
    expect(text).not.toMatch(/item-\d+-x/);
    await t.close();
  });

  it('counts the requests in flight', async () => {
    const t = await testService(itemsService());
    expect((await t.client.busy()).data).toEqual({ active: 1 });
    expect(await sample(t.service.metrics, 'http_server_active_requests')).toBe(0);
    await t.close();
  });

  it('leaves the metrics route out of the request metrics and of the OpenAPI spec', async () => {
    const t = await testService(itemsService());
    await t.request({ method: 'GET', url: '/metrics' });
    const text = textOf(await t.request({ method: 'GET', url: '/metrics' }));
    expect(text).not.toContain('route="/metrics"');
    const spec = await t.request({ method: 'GET', url: '/openapi/spec.json' });
    expect(spec.body).toHaveProperty(['paths', '/items/{id}']);
    expect(spec.body).not.toHaveProperty(['paths', '/metrics']);
    await t.close();
  });

  it('honours metrics.path, metrics.prefix and metrics.buckets', async () => {
    const t = await testService(
      itemsService({ metrics: { path: '/internal/metrics', prefix: 'shop_', buckets: [1, 0.1] } }),
    );
    await t.client.getItem({ params: { id: '1' } });
    expect((await t.request({ method: 'GET', url: '/metrics' })).status).toBe(404);
    const text = textOf(await t.request({ method: 'GET', url: '/internal/metrics' }));
    const series = seriesOf(text, `shop_${DURATION}`);
    const items = series.filter((line) => line.includes('route="/items/:id"'));
    expect(items.filter((line) => line.includes('_bucket{'))).toEqual([
      expect.stringContaining('le="0.1"'),
      expect.stringContaining('le="1"'),
      expect.stringContaining('le="+Inf"'),
    ]);
    expect(text).toContain('shop_process_cpu_user_seconds_total');
    await t.close();
  });

  it('gives every service of a process its own registry', async () => {
    const a = await testService(itemsService());
    const b = await testService(itemsService());
    expect(a.service.metrics).not.toBe(b.service.metrics);
    await a.client.getItem({ params: { id: '1' } });
    const labels = { route: '/items/:id', method: 'GET', status_code: '200' };
    expect(await sample(a.service.metrics, `${DURATION}_count`, labels)).toBe(1);
    expect(await sample(b.service.metrics, `${DURATION}_count`, labels)).toBeUndefined();
    await a.close();
    await b.close();
  });
});

import { describe, expect, it } from 'vitest';
import { type CoreConfig, createService, type DeepPartial, route } from 'wharf';
import { type TestHarness, testService } from 'wharf/testing';

type Line = Record<string, unknown>;

function pressureService(pressure: DeepPartial<CoreConfig['pressure']>, lines: Line[] = []) {
  return createService({
    name: 'cities',
    config: { log: { level: 'warn' }, pressure },
    logDestination: { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) },
    routes: [route({ method: 'GET', url: '/cities', name: 'listCities', handler: () => [] })],
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Ask until the service sheds or `attempts` run out; `before` runs ahead of each request. */
async function untilShed(
  t: Pick<TestHarness<never>, 'request'>,
  attempts: number,
  before: () => Promise<void>,
) {
  for (let i = 0; i < attempts; i++) {
    await before();
    const res = await t.request({ method: 'GET', url: '/cities' });
    if (res.status !== 200) return res;
  }
  return undefined;
}

/** Keep the event loop busy, as a synchronous hot path would. */
function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

describe('load shedding', () => {
  it('answers 503 OVERLOADED in the envelope with Retry-After while memory is past its limit', async () => {
    // Any heap is above one byte: from the first sample on, the service is overloaded.
    const t = await testService(pressureService({ maxHeapUsedBytes: 1, sampleIntervalMs: 10 }));
    const shed = await untilShed(t, 100, () => sleep(10));
    await t.close();

    expect(shed?.status).toBe(503);
    expect(shed?.headers['content-type']).toMatch(/^application\/json/);
    expect(shed?.body).toEqual({
      code: 'OVERLOADED',
      message: 'Service is overloaded, retry later',
    });
    expect(shed?.headers['retry-after']).toBe('10');
  });

  it('measures resident memory too, and takes Retry-After from retryAfterMs', async () => {
    const t = await testService(
      pressureService({ maxRssBytes: 1, sampleIntervalMs: 10, retryAfterMs: 2_500 }),
    );
    const shed = await untilShed(t, 100, () => sleep(10));
    await t.close();
    expect(shed?.body).toMatchObject({ code: 'OVERLOADED' });
    expect(shed?.headers['retry-after']).toBe('3');
  });

  it('sheds while the event loop lags past maxEventLoopDelayMs', async () => {
    const t = await testService(
      pressureService({ maxEventLoopDelayMs: 30, sampleIntervalMs: 50, maxHeapUsedBytes: 0 }),
    );
    // Block, then let the sampler run before asking (the sample after a long block holds it).
    const shed = await untilShed(t, 10, async () => {
      blockEventLoop(500);
      await sleep(1);
    });
    await t.close();
    expect(shed?.body).toMatchObject({ code: 'OVERLOADED' });
  });

  it('does not shed for a lag that start hooks caused (migrations, an embedded database)', async () => {
    const service = pressureService({
      maxEventLoopDelayMs: 30,
      sampleIntervalMs: 50,
      maxHeapUsedBytes: 0,
    });
    service.onStart(() => blockEventLoop(500));
    const t = await testService(service);
    // The overdue sample, taken first, holds the block; the next is 50 ms away.
    await sleep(5);
    const res = await t.request({ method: 'GET', url: '/cities' });
    await t.close();
    expect(res.status).toBe(200);
  });

  it('keeps answering health probes and the metrics scrape while shedding', async () => {
    const t = await testService(pressureService({ maxHeapUsedBytes: 1, sampleIntervalMs: 10 }));
    expect(await untilShed(t, 100, () => sleep(10))).toBeDefined();
    expect((await t.client.healthLive()).status).toBe(200);
    expect((await t.client.healthReady()).status).toBe(200);
    expect((await t.request({ method: 'GET', url: '/metrics' })).status).toBe(200);
    expect((await t.request({ method: 'GET', url: '/cities' })).status).toBe(503);
    await t.close();
  });

  it('logs why it sheds once per sample interval, not once per request, and no errors', async () => {
    const lines: Line[] = [];
    const t = await testService(
      pressureService({ maxHeapUsedBytes: 1, sampleIntervalMs: 200 }, lines),
    );
    expect(await untilShed(t, 100, () => sleep(20))).toBeDefined();
    for (let i = 0; i < 50; i++) await t.request({ method: 'GET', url: '/cities' });
    await t.close();
    const warnings = lines.filter((l) => l.msg === 'overloaded: shedding requests');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThan(10);
    expect(warnings[0]).toMatchObject({ level: 'warn', pressure: 'heapUsedBytes' });
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });

  it('does not shed when pressure.enabled is false', async () => {
    const t = await testService(
      pressureService({ enabled: false, maxHeapUsedBytes: 1, sampleIntervalMs: 10 }),
    );
    expect(await untilShed(t, 10, () => sleep(10))).toBeUndefined();
    await t.close();
  });

  it('serves normally under the default limits', async () => {
    const t = await testService(pressureService({}));
    expect(t.service.config.pressure).toMatchObject({
      enabled: true,
      maxEventLoopDelayMs: 1_000,
      maxEventLoopUtilization: 0,
    });
    for (let i = 0; i < 20; i++) {
      expect((await t.request({ method: 'GET', url: '/cities' })).status).toBe(200);
    }
    await t.close();
  });
});

import { describe, expect, it } from 'vitest';
import { createService } from 'wharf';
import { testService } from 'wharf/testing';

function service(config: { checkTimeoutMs?: number; delayMs?: number } = {}) {
  return createService({
    name: 'cities',
    config: {
      log: { level: 'silent' },
      health: { checkTimeoutMs: config.checkTimeoutMs ?? 1000 },
      shutdown: { delayMs: config.delayMs ?? 0 },
    },
    routes: [],
  });
}

describe('health routes', () => {
  it('answers liveness with 200 in the envelope', async () => {
    const t = await testService(service());
    const res = await t.client.healthLive();
    await t.close();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 0, message: 'ok', data: { status: 'ok' } });
  });

  it('answers readiness with 200 and the checks when every check passes', async () => {
    const svc = service();
    svc.health.register('db', async () => 'pong');
    const t = await testService(svc);
    const res = await t.client.healthReady();
    await t.close();

    expect(res.status).toBe(200);
    expect(res.data).toEqual({ status: 'ready', checks: [{ name: 'db', ok: true }] });
  });

  it('answers readiness with 503 SERVICE_UNAVAILABLE when a check throws', async () => {
    const svc = service();
    svc.health.register('db', async () => 'pong');
    svc.health.register('broker', async () => {
      throw new Error('connection refused');
    });
    const t = await testService(svc);
    const res = await t.client.healthReady();
    await t.close();

    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: 'A readiness check failed',
      error: {
        stopping: false,
        checks: [
          { name: 'db', ok: true },
          { name: 'broker', ok: false, error: 'connection refused' },
        ],
      },
    });
  });

  it('answers readiness with 503 when a check exceeds health.checkTimeoutMs', async () => {
    const svc = service({ checkTimeoutMs: 20 });
    svc.health.register('db', () => new Promise(() => {}));
    const t = await testService(svc);
    const res = await t.client.healthReady();
    await t.close();

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      error: { checks: [{ name: 'db', ok: false, error: 'timed out after 20 ms' }] },
    });
  });

  it('turns readiness to 503 as soon as stop() begins, while liveness stays 200', async () => {
    // The shutdown delay keeps the service serving while readiness already says no.
    const t = await testService(service({ delayMs: 300 }));
    expect((await t.client.healthReady()).status).toBe(200);

    const stopping = t.service.stop();
    const ready = await t.client.healthReady();
    const live = await t.client.healthLive();
    await stopping;

    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Service is stopping',
      error: { stopping: true },
    });
    expect(live.status).toBe(200);
  });
});

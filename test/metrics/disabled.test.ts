import { describe, expect, it } from 'vitest';
import { createService } from 'wharf';
import { createClients, useClients } from 'wharf/client';
import { createMessaging, useMessaging } from 'wharf/messaging';
import { createScheduler, useScheduler } from 'wharf/schedule';
import { testService } from 'wharf/testing';

describe('metrics.enabled false', () => {
  it('makes no registry, serves no /metrics and leaves the use* functions working', async () => {
    const service = createService({
      name: 'quiet',
      config: { log: { level: 'silent' }, metrics: { enabled: false } },
      routes: [],
    });
    expect(service.metrics).toBeUndefined();
    expect(service.routes.map((r) => r.url)).not.toContain('/metrics');
    useClients(service, createClients({}));
    useMessaging(service, createMessaging());
    useScheduler(service, createScheduler({ logger: service.log }));
    const t = await testService(service);
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
    await t.close();
  });
});

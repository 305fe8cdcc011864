import { describe, expect, it } from 'vitest';
import { createService, Type } from 'wharf';
import { createMessaging, MemoryBrokerServer, useMessaging } from 'wharf/messaging';
import { testService } from 'wharf/testing';
import { eventually, sample } from './helpers.js';

describe('messaging metrics through useMessaging', () => {
  it('counts consumed, retried and dead-lettered messages by queue', async () => {
    const service = createService({
      name: 'billing',
      config: { log: { level: 'silent' } },
      routes: [],
    });
    const messaging = createMessaging({}, { server: new MemoryBrokerServer() });
    messaging.consume(
      'orders',
      (order) => {
        if (order.fail) throw new Error('cannot bill');
      },
      { schema: Type.Object({ fail: Type.Boolean() }), retries: 1, retryDelayMs: 1 },
    );
    useMessaging(service, messaging);
    const t = await testService(service);

    await messaging.publish('orders', '', { fail: false });
    await messaging.publish('orders', '', { fail: true });
    await messaging.publish('orders', '', { wrong: 1 });

    const registry = service.metrics;
    const count = (name: string, labels: Record<string, string>) =>
      sample(registry, `messaging_messages_${name}_total`, labels);
    // The failing one: first run, retry, dead. The invalid one: dead at once.
    await eventually(async () => (await count('consumed', { queue: 'orders' })) === 4);
    expect(await count('retried', { queue: 'orders' })).toBe(1);
    expect(await count('dead_lettered', { queue: 'orders', reason: 'handler-failed' })).toBe(1);
    expect(await count('dead_lettered', { queue: 'orders', reason: 'invalid-payload' })).toBe(1);
    await t.close();
  });
});

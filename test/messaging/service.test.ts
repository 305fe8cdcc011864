import { afterEach, describe, expect, it } from 'vitest';
import { createService, route, Type } from 'wharf';
import { type Messaging, useMessaging } from 'wharf/messaging';
import { testService } from 'wharf/testing';
import { BrokerHarness, brokerNames, eventually, gate } from './brokers.js';

let harness: BrokerHarness | undefined;
const gates: (() => void)[] = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await harness?.cleanup();
  harness = undefined;
});

function ordersService(messaging: Messaging, queue: string) {
  const service = createService({
    name: 'orders',
    config: { log: { level: 'silent' } },
    routes: [
      route({
        method: 'POST',
        url: '/orders',
        name: 'placeOrder',
        status: 202,
        body: Type.Object({ item: Type.String() }),
        response: Type.Object({ messageId: Type.String() }),
        handler: async ({ body }) => ({ messageId: await messaging.publish(queue, '', body) }),
      }),
    ],
  });
  useMessaging(service, messaging);
  return service;
}

describe.each(brokerNames)('useMessaging (%s broker)', (broker) => {
  it('starts messaging with the service, reports it in readiness, and consumes what a route publishes', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('orders');
    const messaging = harness.messaging({ topology: { queues: [{ name: queue }] } });
    const received: unknown[] = [];
    messaging.consume(queue, (order) => void received.push(order));
    const t = await testService(ordersService(messaging, queue));
    try {
      const ready = await t.client.healthReady();
      expect(ready.status).toBe(200);
      expect(ready.data?.checks).toContainEqual({ name: 'messaging', ok: true });

      const placed = await t.client.placeOrder({ body: { item: 'kettle' } });
      expect(placed.status).toBe(202);
      await eventually(() => received.length === 1);
      expect(received).toEqual([{ item: 'kettle' }]);
    } finally {
      await t.close();
    }
    expect(messaging.status()).toMatchObject({ started: false, connected: false });
  });

  it('lets a running handler finish and ack before the service has stopped', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('orders');
    const messaging = harness.messaging({ topology: { queues: [{ name: queue }] } });
    const release = gate();
    gates.push(release.open);
    const events: string[] = [];
    messaging.consume(queue, async () => {
      events.push('handler started');
      await release.promise;
      events.push('handler finished');
    });
    const t = await testService(ordersService(messaging, queue));
    await t.client.placeOrder({ body: { item: 'lamp' } });
    await eventually(() => events.length === 1);

    const stopping = t.close().then(() => events.push('service stopped'));
    await eventually(() => t.service.health.stopping);
    release.open();
    await stopping;
    expect(events).toEqual(['handler started', 'handler finished', 'service stopped']);

    const check = harness.messaging();
    await check.start();
    expect(await check.broker.get(queue)).toBeNull();
  });
});

describe('useMessaging (memory broker, connection lost)', () => {
  it('answers readiness 503 naming messaging while the broker connection is down', async () => {
    harness = new BrokerHarness('memory');
    const queue = harness.queue('orders');
    const messaging = harness.messaging();
    messaging.consume(queue, () => {});
    const t = await testService(ordersService(messaging, queue));
    try {
      harness.server.refuseConnections(true);
      harness.server.dropConnections();
      const res = await t.client.healthReady();
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        error: {
          checks: [{ name: 'messaging', ok: false, error: 'no connection to the message broker' }],
        },
      });
      harness.server.refuseConnections(false);
      await eventually(async () => (await t.client.healthReady()).status === 200);
    } finally {
      await t.close();
    }
  });
});

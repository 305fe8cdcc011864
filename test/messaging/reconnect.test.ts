import { afterEach, describe, expect, it } from 'vitest';
import { MessagingUnavailableError } from 'wharf';
import { createMessaging, MemoryBrokerServer } from 'wharf/messaging';
import { BrokerHarness, brokerNames, eventually, FAST, gate } from './brokers.js';

let harness: BrokerHarness | undefined;
const gates: (() => void)[] = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await harness?.cleanup();
  harness = undefined;
});

const TOTAL = 1_000;
const PREFETCH = 50;

describe.each(brokerNames)('reconnection (%s broker)', (broker) => {
  it(`handles all of ${TOTAL} messages when the connections are closed by force mid-stream`, async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('stream');
    const publisher = harness.messaging({
      name: 'publisher',
      topology: { queues: [{ name: queue }] },
    });
    const consumer = harness.messaging({ name: 'consumer' });
    const hold = gate();
    gates.push(hold.open);
    const calls = new Map<number, number>();
    let redeliveries = 0;
    let handled = 0;
    consumer.consume(
      queue,
      async (payload: unknown, message) => {
        const { n } = payload as { n: number };
        if (message.redelivered) redeliveries++;
        calls.set(n, (calls.get(n) ?? 0) + 1);
        handled++;
        // From the 300th on, handlers wait: the connection drops with a full prefetch in flight.
        if (handled > 300) await hold.promise;
      },
      { prefetch: PREFETCH },
    );
    await publisher.start();
    await consumer.start();

    const half = TOTAL / 2;
    await Promise.all(Array.from({ length: half }, (_, n) => publisher.publish(queue, '', { n })));
    await eventually(() => consumer.status().consumers[0]?.inFlight === PREFETCH);

    // The second half is published one by one, paced until the connections went down,
    // so publishes are under way before, during and after the drop.
    let dropped = false;
    const publishing = (async () => {
      for (let i = 0; i < half; i++) {
        await publisher.publish(queue, '', { n: half + i });
        if (!dropped) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await harness.dropConnections();
    dropped = true;
    hold.open();
    await publishing;

    await eventually(() => calls.size === TOTAL, 30_000);
    await eventually(() => consumer.status().consumers[0]?.inFlight === 0);
    const duplicates = [...calls.values()].reduce((sum, count) => sum + count - 1, 0);
    expect([...calls.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: TOTAL }, (_, n) => n),
    );
    // The held deliveries could not be acked on the lost connection: each came again.
    // (A publish cut off before its confirm is sent again and may add a duplicate.)
    expect(duplicates).toBeGreaterThanOrEqual(PREFETCH);
    expect(redeliveries).toBeGreaterThanOrEqual(PREFETCH);
    expect(consumer.status()).toMatchObject({ connected: true, consumers: [{ active: true }] });
    expect(publisher.status().connected).toBe(true);
  }, 60_000);
});

describe('reconnection (memory broker, broker down)', () => {
  it('reports not ready while the broker is down, then reconnects and consumes again', async () => {
    harness = new BrokerHarness('memory');
    const queue = harness.queue('orders');
    const messaging = harness.messaging();
    const seen: unknown[] = [];
    messaging.consume(queue, (payload) => void seen.push(payload));
    await messaging.start();
    expect(() => messaging.check()).not.toThrow();

    harness.server.refuseConnections(true);
    harness.server.dropConnections();
    expect(() => messaging.check()).toThrow(/no connection/);
    // Retried with backoff meanwhile; a publish waits for the connection to come back.
    const publishing = messaging.publish(queue, '', { id: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(messaging.status().connected).toBe(false);

    harness.server.refuseConnections(false);
    await publishing;
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([{ id: 1 }]);
    expect(() => messaging.check()).not.toThrow();
  });

  it('fails a publish with 503 MESSAGING_UNAVAILABLE when the broker stays away past publishTimeoutMs', async () => {
    const server = new MemoryBrokerServer();
    const messaging = createMessaging({ ...FAST, publishTimeoutMs: 100 }, { server });
    try {
      await messaging.start();
      server.refuseConnections(true);
      server.dropConnections();
      const error = await messaging.publish('', 'anywhere', {}).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(MessagingUnavailableError);
      expect(error).toMatchObject({ status: 503, code: 'MESSAGING_UNAVAILABLE' });
    } finally {
      await messaging.stop();
      server.close();
    }
  });

  it('fails the start within connectTimeoutMs when the broker cannot be reached', async () => {
    const server = new MemoryBrokerServer();
    server.refuseConnections(true);
    const messaging = createMessaging({ ...FAST, connectTimeoutMs: 150 }, { server });
    try {
      await expect(messaging.start()).rejects.toThrow(
        /Could not connect to the message broker within 150 ms: connect ECONNREFUSED/,
      );
    } finally {
      await messaging.stop();
      server.close();
    }
  });
});

describe.skipIf(!process.env.AMQP_URL)('reconnection (RabbitMQ unreachable)', () => {
  it('fails the start within connectTimeoutMs when nothing listens at the URL', async () => {
    const messaging = createMessaging({
      ...FAST,
      amqpUrl: 'amqp://guest:guest@127.0.0.1:1',
      connectTimeoutMs: 300,
    });
    try {
      await expect(messaging.start()).rejects.toBeInstanceOf(MessagingUnavailableError);
    } finally {
      await messaging.stop();
    }
  });
});

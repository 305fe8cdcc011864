import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MessagingTopologyError } from 'wharf';
import { BrokerHarness, brokerNames, drainQueue, eventually } from './brokers.js';

let harness: BrokerHarness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

describe.each(brokerNames)('topology (%s broker)', (broker) => {
  it('fails the start with MESSAGING_TOPOLOGY_INVALID when a retry queue exists with another delay', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('invoices');
    const first = harness.messaging();
    first.consume(queue, () => {}, { retryDelayMs: 1_000 });
    await first.start();

    const second = harness.messaging();
    second.consume(queue, () => {}, { retryDelayMs: 2_000 });
    const error = await second.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MessagingTopologyError);
    expect(error).toMatchObject({ code: 'MESSAGING_TOPOLOGY_INVALID' });
    expect(String((error as Error).message)).toMatch(/PRECONDITION_FAILED/);
  });

  it('declares a queue deleted under a consumer again and resubscribes it', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('prices');
    const lines: { msg?: string; queue?: string }[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const messaging = harness.messaging({ logger });
    const received: unknown[] = [];
    messaging.consume(queue, (price) => void received.push(price));
    await messaging.start();

    await messaging.broker.deleteQueue(queue);
    // The broker cancelled the consumer along with its queue; it comes back by itself.
    await eventually(() =>
      lines.some((l) => l.msg === 'the broker cancelled a consumer' && l.queue === queue),
    );
    await eventually(() => messaging.status().consumers[0]?.active);
    await messaging.publish(queue, '', { sku: 'a1', cents: 250 });
    await eventually(() => received.length === 1);
    expect(received).toEqual([{ sku: 'a1', cents: 250 }]);
    expect(() => messaging.check()).not.toThrow();
  });

  it('declares every exchange, queue and binding again after a reconnection', async () => {
    harness = new BrokerHarness(broker);
    const exchange = harness.exchange('catalog');
    const queue = harness.queue('stock');
    const messaging = harness.messaging({
      topology: {
        exchanges: [{ name: exchange, type: 'direct' }],
        queues: [{ name: queue, bindings: [{ exchange, routingKey: 'stock' }] }],
      },
    });
    const received: unknown[] = [];
    messaging.consume(queue, (stock) => void received.push(stock));
    await messaging.start();

    // Gone from the broker (as after a broker reset) while nothing notices…
    await messaging.broker.deleteExchange(exchange);
    await expect(messaging.publish(exchange, 'stock', { n: 0 })).rejects.toMatchObject({
      name: 'MessagePublishError',
    });
    // …until the connection drops: the new one declares it again, with its binding.
    await harness.dropConnections();
    await eventually(() => messaging.status().connected);
    await messaging.publish(exchange, 'stock', { n: 1 });
    await eventually(() => received.length === 1);
    expect(received).toEqual([{ n: 1 }]);
  });

  it('routes topic patterns with * and # as RabbitMQ does', async () => {
    harness = new BrokerHarness(broker);
    const exchange = harness.exchange('logs');
    const patterns = ['#', 'app.#', 'app.*.error', '*.*', 'app.#.error', 'app'];
    const queues = patterns.map((pattern) => ({ pattern, name: harness?.queue('logs') ?? '' }));
    const messaging = harness.messaging({
      topology: {
        exchanges: [{ name: exchange }],
        queues: queues.map((q) => ({
          name: q.name,
          bindings: [{ exchange, routingKey: q.pattern }],
        })),
      },
    });
    await messaging.start();
    const keys = ['app', 'app.db', 'app.db.error', 'app.db.pool.error', 'web.db.error'];
    for (const key of keys) await messaging.publish(exchange, key, { key });

    const matched: Record<string, string[]> = {};
    for (const q of queues) {
      matched[q.pattern] = (await drainQueue(messaging, q.name)).map(
        (d) => JSON.parse(d.body.toString()).key,
      );
    }
    expect(matched).toEqual({
      '#': keys,
      'app.#': ['app', 'app.db', 'app.db.error', 'app.db.pool.error'],
      'app.*.error': ['app.db.error'],
      '*.*': ['app.db'],
      'app.#.error': ['app.db.error', 'app.db.pool.error'],
      app: ['app'],
    });
  });
});

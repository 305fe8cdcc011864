import { afterEach, describe, expect, it } from 'vitest';
import { Type } from 'wharf';
import { type Delivery, Header } from 'wharf/messaging';
import { BrokerHarness, brokerNames, drainQueue, eventually } from './brokers.js';

let harness: BrokerHarness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setUp(broker: (typeof brokerNames)[number]): BrokerHarness {
  harness = new BrokerHarness(broker);
  return harness;
}

describe.each(brokerNames)('retries and dead letters (%s broker)', (broker) => {
  it('calls a failing handler retries + 1 times, then moves the message to .dead with the error and attempt count', async () => {
    const h = setUp(broker);
    const queue = h.queue('orders');
    const messaging = h.messaging();
    const attempts: number[] = [];
    messaging.consume(
      queue,
      (_payload, message) => {
        attempts.push(message.attempt);
        throw new Error(`no stock (attempt ${message.attempt})`);
      },
      { retries: 2, retryDelayMs: 30 },
    );
    await messaging.start();
    const messageId = await messaging.publish(queue, '', { order: 7 });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length > 0;
    });
    await messaging.stop();

    expect(attempts).toEqual([1, 2, 3]);
    expect(dead).toHaveLength(1);
    const [message] = dead;
    expect(message?.messageId).toBe(messageId);
    expect(JSON.parse(message?.body.toString() ?? '')).toEqual({ order: 7 });
    expect(message?.headers).toMatchObject({
      [Header.attempts]: 3,
      [Header.error]: 'no stock (attempt 3)',
      [Header.reason]: 'handler-failed',
      [Header.queue]: queue,
      [Header.exchange]: '',
      [Header.routingKey]: queue,
    });

    // Nothing is left to run the handler a fourth time.
    const check = h.messaging();
    await check.start();
    expect(await drainQueue(check, queue)).toEqual([]);
    expect(await drainQueue(check, `${queue}.retry`)).toEqual([]);
    expect(await drainQueue(check, `${queue}.dead`)).toEqual([]);
  });

  it('acknowledges a message whose handler succeeds on a retry, and keeps its routing', async () => {
    const h = setUp(broker);
    const exchange = h.exchange('shop');
    const queue = h.queue('billing');
    const messaging = h.messaging({
      topology: {
        exchanges: [{ name: exchange, type: 'topic' }],
        queues: [{ name: queue, bindings: [{ exchange, routingKey: 'order.*' }] }],
      },
    });
    const seen: { attempt: number; exchange: string; routingKey: string; order: unknown }[] = [];
    messaging.consume(
      queue,
      (payload, message) => {
        seen.push({
          attempt: message.attempt,
          exchange: message.exchange,
          routingKey: message.routingKey,
          order: payload,
        });
        if (message.attempt === 1) throw new Error('database busy');
      },
      { retries: 3, retryDelayMs: 30 },
    );
    await messaging.start();
    await messaging.publish(exchange, 'order.created', { id: 1 });

    await eventually(() => seen.length === 2);
    await messaging.stop();
    expect(seen).toEqual([
      { attempt: 1, exchange, routingKey: 'order.created', order: { id: 1 } },
      { attempt: 2, exchange, routingKey: 'order.created', order: { id: 1 } },
    ]);
    const check = h.messaging();
    await check.start();
    expect(await drainQueue(check, `${queue}.dead`)).toEqual([]);
    expect(await drainQueue(check, queue)).toEqual([]);
  });

  it('parks a failed message in <queue>.retry with its failure count until the delay has passed', async () => {
    const h = setUp(broker);
    const queue = h.queue('exports');
    const messaging = h.messaging();
    let calls = 0;
    messaging.consume(
      queue,
      () => {
        calls++;
        throw new Error('disk full');
      },
      { retries: 3, retryDelayMs: 60_000 },
    );
    await messaging.start();
    const messageId = await messaging.publish(queue, '', { file: 'a.csv' });

    const parked: Delivery[] = [];
    await eventually(async () => {
      parked.push(...(await drainQueue(messaging, `${queue}.retry`)));
      return parked.length > 0;
    });
    expect(calls).toBe(1);
    expect(parked.map((d) => d.messageId)).toEqual([messageId]);
    expect(parked[0]?.headers).toMatchObject({ [Header.attempts]: 1, [Header.error]: 'disk full' });
  });

  it('moves a message that is not JSON straight to .dead without calling the handler', async () => {
    const h = setUp(broker);
    const queue = h.queue('events');
    const messaging = h.messaging();
    const handled: unknown[] = [];
    messaging.consume(queue, (payload) => void handled.push(payload), { retries: 5 });
    await messaging.start();
    await messaging.broker.publish('', queue, Buffer.from('{"half": '), {
      messageId: 'broken-1',
      headers: {},
    });
    await messaging.publish(queue, '', { ok: true });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length > 0 && handled.length > 0;
    });
    expect(handled).toEqual([{ ok: true }]);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.messageId).toBe('broken-1');
    expect(dead[0]?.body.toString()).toBe('{"half": ');
    expect(dead[0]?.headers[Header.reason]).toBe('invalid-json');
    expect(String(dead[0]?.headers[Header.error])).toMatch(/JSON/);
    expect(dead[0]?.headers[Header.attempts]).toBe(0);
  });

  it("moves a message that fails the consumer's schema straight to .dead, naming the field", async () => {
    const h = setUp(broker);
    const queue = h.queue('users');
    const messaging = h.messaging();
    const handled: { id: number }[] = [];
    messaging.consume(queue, (user) => void handled.push(user), {
      schema: Type.Object({ id: Type.Integer() }),
      retries: 5,
    });
    await messaging.start();
    const badId = await messaging.publish(queue, '', { id: 'seven' });
    await messaging.publish(queue, '', { id: 7 });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length > 0 && handled.length > 0;
    });
    expect(handled).toEqual([{ id: 7 }]);
    expect(dead.map((d) => d.messageId)).toEqual([badId]);
    expect(dead[0]?.headers[Header.reason]).toBe('invalid-payload');
    expect(String(dead[0]?.headers[Header.error])).toContain('/id');
  });

  it('settles every unreadable message: invalid UTF-8, and a payload deeper than the schema check can go', async () => {
    const h = setUp(broker);
    const queue = h.queue('trees');
    const messaging = h.messaging();
    const Node = Type.Cyclic(
      { Node: Type.Object({ next: Type.Optional(Type.Ref('Node')) }) },
      'Node',
    );
    const handled: unknown[] = [];
    // One at a time: a message left unsettled would block the next for good.
    messaging.consume(queue, (payload) => void handled.push(payload), {
      schema: Node,
      prefetch: 1,
      retries: 5,
    });
    await messaging.start();
    const latin1 = Buffer.concat([Buffer.from('{"name":"Troms'), Buffer.from([0xf8, 0x22, 0x7d])]);
    await messaging.broker.publish('', queue, latin1, { messageId: 'latin-1', headers: {} });
    const deep = `${'{"next":'.repeat(20_000)}{}${'}'.repeat(20_000)}`;
    await messaging.broker.publish('', queue, Buffer.from(deep), {
      messageId: 'deep',
      headers: {},
    });
    await messaging.publish(queue, '', { next: {} });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length === 2 && handled.length === 1;
    });
    const byId = new Map(dead.map((d) => [d.messageId, d]));
    expect(byId.get('latin-1')?.headers).toMatchObject({
      [Header.reason]: 'invalid-json',
      [Header.error]: 'body is not valid UTF-8',
      [Header.routingKey]: queue,
    });
    expect(byId.get('latin-1')?.body.equals(latin1)).toBe(true);
    expect(byId.get('deep')?.headers[Header.reason]).toBe('invalid-payload');
    expect(handled).toEqual([{ next: {} }]);
  });

  it('gives each message published without an id one of its own, kept on its retry', async () => {
    const h = setUp(broker);
    const queue = h.queue('anonymous');
    const messaging = h.messaging();
    const seen: { n: number; id: string; attempt: number }[] = [];
    messaging.consume(
      queue,
      (payload, message) => {
        const { n } = payload as { n: number };
        seen.push({ n, id: message.messageId, attempt: message.attempt });
        if (n === 1 && message.attempt === 1) throw new Error('once');
      },
      { retries: 1, retryDelayMs: 10 },
    );
    await messaging.start();
    for (const n of [1, 2]) {
      await messaging.broker.publish('', queue, Buffer.from(JSON.stringify({ n })), {
        messageId: '',
        headers: {},
      });
    }

    await eventually(async () => seen.length === 3);
    const first = seen.filter((s) => s.n === 1);
    const second = seen.find((s) => s.n === 2);
    expect(first.map((s) => s.attempt)).toEqual([1, 2]);
    expect(first[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first[1]?.id).toBe(first[0]?.id);
    expect(second?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.id).not.toBe(first[0]?.id);
  });

  it('retries a message whose handler throws a value that cannot be turned into text', async () => {
    const h = setUp(broker);
    const queue = h.queue('odd');
    const messaging = h.messaging();
    const attempts: number[] = [];
    messaging.consume(
      queue,
      (_payload, message) => {
        attempts.push(message.attempt);
        throw Object.create(null);
      },
      { retries: 1, retryDelayMs: 10 },
    );
    await messaging.start();
    await messaging.publish(queue, '', { n: 1 });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length === 1;
    });
    expect(attempts).toEqual([1, 2]);
    expect(dead[0]?.headers[Header.reason]).toBe('handler-failed');
  });

  it('settles messages whatever a message listener throws', async () => {
    const h = setUp(broker);
    const queue = h.queue('watched');
    const messaging = h.messaging();
    messaging.onMessage(() => {
      throw new Error('broken listener');
    });
    const handled: number[] = [];
    messaging.consume(queue, (payload) => void handled.push((payload as { n: number }).n), {
      prefetch: 1,
    });
    await messaging.start();
    for (const n of [1, 2, 3]) await messaging.publish(queue, '', { n });

    await eventually(async () => handled.length === 3);
    expect(handled).toEqual([1, 2, 3]);
  });

  it('declares a retry or dead queue deleted while running again, rather than lose the copy', async () => {
    const h = setUp(broker);
    const queue = h.queue('fragile');
    const messaging = h.messaging();
    const attempts: number[] = [];
    messaging.consume(
      queue,
      (_payload, message) => {
        attempts.push(message.attempt);
        if (message.attempt === 1) throw new Error('first run fails');
      },
      { retries: 1, retryDelayMs: 20 },
    );
    await messaging.start();
    await messaging.broker.deleteQueue(`${queue}.retry`);
    await messaging.broker.deleteQueue(`${queue}.dead`);

    await messaging.publish(queue, '', { n: 1 });
    await messaging.broker.publish('', queue, Buffer.from('not json'), {
      messageId: 'unreadable',
      headers: {},
    });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length === 1 && attempts.length === 2;
    });
    expect(attempts).toEqual([1, 2]);
    expect(dead[0]?.messageId).toBe('unreadable');
  });

  it('refuses a publish to an exchange that does not exist', async () => {
    const h = setUp(broker);
    const messaging = h.messaging();
    await messaging.start();
    await expect(messaging.publish(h.exchange('nowhere'), 'x', {})).rejects.toMatchObject({
      name: 'MessagePublishError',
      status: 500,
      reason: expect.stringContaining('NOT_FOUND'),
    });
    // The connection is unharmed: the next publish goes through.
    const queue = h.queue('after');
    const other = h.messaging({ topology: { queues: [{ name: queue }] } });
    await other.start();
    await messaging.publish('', queue, { fine: true });
    await eventually(async () => (await other.broker.get(queue)) !== null);
  });
});

describe.skipIf(!process.env.AMQP_URL)('dead letters on RabbitMQ', () => {
  it("moves a message whose headers leave no room for Wharf's without them, instead of requeueing it without end", async () => {
    const h = setUp('rabbitmq');
    const queue = h.queue('bulky');
    const messaging = h.messaging();
    let runs = 0;
    messaging.consume(
      queue,
      () => {
        runs++;
        throw new Error('always');
      },
      { retries: 0 },
    );
    await messaging.start();
    // Just under AMQP's 64 KiB header table: Wharf's own headers no longer fit beside it.
    const bulky = { 'x-bulky': 'b'.repeat(65_400) };
    await messaging.broker.publish('', queue, Buffer.from('{"n":1}'), {
      messageId: 'bulky-1',
      headers: bulky,
    });

    const dead: Delivery[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(messaging, `${queue}.dead`)));
      return dead.length === 1;
    });
    expect(runs).toBe(1);
    expect(dead[0]?.body.toString()).toBe('{"n":1}');
    expect(dead[0]?.headers).toMatchObject({
      [Header.reason]: 'handler-failed',
      [Header.headersDropped]: true,
      [Header.routingKey]: queue,
    });
    expect(dead[0]?.headers['x-bulky']).toBeUndefined();
  });
});

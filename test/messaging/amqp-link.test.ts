import { EventEmitter } from 'node:events';
import type { ChannelModel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AmqpLink } from '../../src/messaging/amqp-broker.js';

/** Just enough of an amqplib channel for a consumer. */
class FakeChannel extends EventEmitter {
  async prefetch(): Promise<void> {}
  async consume(): Promise<{ consumerTag: string }> {
    return { consumerTag: 'tag-1' };
  }
  async cancel(): Promise<void> {}
  async close(): Promise<void> {
    this.emit('close');
  }
}

/** Just enough of an amqplib connection: it hands out fake channels. */
class FakeConnection extends EventEmitter {
  readonly channels: FakeChannel[] = [];
  async createChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    this.channels.push(channel);
    return channel;
  }
}

async function consumer() {
  const connection = new FakeConnection();
  const link = new AmqpLink(connection as unknown as ChannelModel);
  let cancellations = 0;
  const consuming = await link.consume(
    'orders',
    1,
    () => {},
    () => {
      cancellations++;
    },
  );
  const channel = connection.channels[0] as FakeChannel;
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  return { connection, channel, consuming, cancellations: () => cancellations, settled };
}

describe('a consumer on a RabbitMQ connection', () => {
  it('reports its subscription lost when the broker closes its channel alone', async () => {
    // As RabbitMQ does to a delivery left unacknowledged past its consumer_timeout.
    const { channel, cancellations, settled } = await consumer();
    channel.emit('close');
    await settled();
    expect(cancellations()).toBe(1);
  });

  it('reports nothing when its channel closes with the connection, or because it was closed', async () => {
    const lost = await consumer();
    // amqplib closes the channels first, then the connection, in one go.
    lost.channel.emit('close');
    lost.connection.emit('close', new Error('connection reset'));
    await lost.settled();
    expect(lost.cancellations()).toBe(0);

    const closed = await consumer();
    await closed.consuming.close();
    await closed.settled();
    expect(closed.cancellations()).toBe(0);
  });
});

import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  connect,
  type Message,
  type Options,
} from 'amqplib';
import {
  MessagePublishError,
  MessageUnroutableError,
  MessagingTopologyError,
} from '../errors/index.js';
import {
  type BrokerLink,
  type Delivery,
  LinkClosedError,
  type LinkConsumer,
  type MessageProperties,
  type QueueSpec,
  type Topology,
} from './broker.js';

export interface AmqpLinkOptions {
  url: string;
  /** Bounds opening the socket and the AMQP handshake. */
  connectTimeoutMs: number;
  /** Shown by RabbitMQ (`rabbitmqctl list_connections client_properties`, management UI). */
  connectionName: string;
}

/** AMQP reply codes that mean "the request itself is wrong", as opposed to a lost connection. */
const REQUEST_ERRORS = new Set([403, 404, 405, 406]);

/** Open one RabbitMQ connection (amqplib) as a broker link. */
export async function openAmqpLink(options: AmqpLinkOptions): Promise<BrokerLink> {
  const model = await connect(options.url, {
    timeout: options.connectTimeoutMs,
    clientProperties: { connection_name: options.connectionName },
  });
  return new AmqpLink(model);
}

/**
 * One connection: a confirm channel for publishing (opened again if the broker closes it),
 * a channel per consumer (so prefetch, cancel and close are per consumer), and a short-lived
 * channel per administrative call (a failing declaration closes its channel).
 */
export class AmqpLink implements BrokerLink {
  readonly #model: ChannelModel;
  readonly #listeners: ((error: Error | undefined) => void)[] = [];
  /** Exchanges known to exist, so a publish to an unknown one fails alone (see #publisher). */
  readonly #exchanges = new Set<string>(['']);
  #publisher: Promise<ConfirmChannel> | undefined;
  /** Ids of mandatory messages the broker returned, until their confirm is seen. */
  readonly #returned = new Set<string>();
  #closed = false;
  #closeError: Error | undefined;

  constructor(model: ChannelModel) {
    this.#model = model;
    // An 'error' always precedes 'close'; 'close' is the one place the loss is handled.
    model.on('error', () => {});
    model.on('close', (error?: Error) => {
      this.#closed = true;
      this.#closeError = error;
      for (const listener of this.#listeners.splice(0)) listener(error);
    });
  }

  async declare(topology: Topology): Promise<void> {
    await this.#admin(async (channel) => {
      for (const exchange of topology.exchanges) {
        await channel.assertExchange(exchange.name, exchange.type, { durable: true });
        this.#exchanges.add(exchange.name);
      }
      for (const queue of topology.queues) {
        await channel.assertQueue(queue.name, { durable: true, arguments: queueArguments(queue) });
      }
      for (const binding of topology.bindings) {
        await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey);
      }
    });
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: MessageProperties,
  ): Promise<void> {
    if (!this.#exchanges.has(exchange)) {
      // A publish to a missing exchange makes the broker close the channel, failing every
      // other publish in flight on it; ask first, on a channel of its own.
      await this.#admin((channel) => channel.checkExchange(exchange)).catch((err) => {
        if (err instanceof MessagingTopologyError) throw new MessagePublishError(err.message, err);
        throw err;
      });
      this.#exchanges.add(exchange);
    }
    const channel = await this.#confirmChannel();
    const options: Options.Publish = {
      persistent: true,
      messageId: properties.messageId,
      headers: properties.headers,
      contentType: properties.contentType,
      timestamp: properties.timestamp,
      mandatory: properties.mandatory,
    };
    await new Promise<void>((resolve, reject) => {
      try {
        channel.publish(exchange, routingKey, body, options, (err: unknown) => {
          // RabbitMQ sends a mandatory message's basic.return before its confirm; only
          // mandatory messages come back.
          if (this.#returned.delete(properties.messageId)) {
            reject(new MessageUnroutableError(exchange, routingKey));
          } else if (!err) resolve();
          else if (err instanceof Error && err.message === 'message nacked') {
            reject(new MessagePublishError('The broker refused the message (negative confirm)'));
          } else reject(new LinkClosedError('Channel closed before the confirm', { cause: err }));
        });
      } catch (err) {
        if (isIllegalOperation(err)) {
          // The channel closed between opening and sending.
          reject(new LinkClosedError('Channel closed', { cause: err }));
        } else {
          // The message cannot be encoded (e.g. its headers exceed the 64 KiB table limit).
          reject(new MessagePublishError((err as Error).message, err));
        }
      }
    });
  }

  async consume(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
    onCancelled: () => void,
  ): Promise<LinkConsumer> {
    const channel = await this.#channel();
    let open = true;
    channel.on('close', () => {
      const lost = open;
      open = false;
      // RabbitMQ can close a consumer's channel alone, e.g. when a delivery stays
      // unacknowledged past its consumer_timeout. The connection lives on, so nothing else
      // would notice that this queue is no longer consumed: report it as a cancellation,
      // which subscribes it again. A channel closed with its connection is the
      // reconnection's business; the check waits for the connection's own close event.
      if (lost) setImmediate(() => this.#closed || onCancelled());
    });
    let tag: string;
    try {
      await channel.prefetch(prefetch);
      const reply = await channel.consume(
        queue,
        (message) => {
          if (message === null) onCancelled();
          else onDelivery(consumed(channel, message, () => open));
        },
        { noAck: false },
      );
      tag = reply.consumerTag;
    } catch (err) {
      await closeQuietly(channel);
      throw this.#translate(err);
    }
    return {
      cancel: async () => {
        if (open) await channel.cancel(tag);
      },
      close: async () => {
        open = false;
        await closeQuietly(channel);
      },
    };
  }

  get(queue: string): Promise<Delivery | null> {
    return this.#admin(async (channel) => {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) return null;
      return {
        ...deliveryFields(message),
        live: false,
        ack: () => false,
        requeue: () => false,
      };
    });
  }

  purgeQueue(queue: string): Promise<number> {
    return this.#admin(async (channel) => (await channel.purgeQueue(queue)).messageCount);
  }

  deleteQueue(queue: string): Promise<void> {
    return this.#admin(async (channel) => {
      await channel.deleteQueue(queue);
    });
  }

  deleteExchange(exchange: string): Promise<void> {
    this.#exchanges.delete(exchange);
    return this.#admin(async (channel) => {
      await channel.deleteExchange(exchange);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#model.close();
    } catch {
      // Already closing or gone: the 'close' event reports it.
    }
  }

  onClose(listener: (error: Error | undefined) => void): void {
    if (this.#closed) queueMicrotask(() => listener(this.#closeError));
    else this.#listeners.push(listener);
  }

  #confirmChannel(): Promise<ConfirmChannel> {
    if (!this.#publisher) {
      const opening = this.#model.createConfirmChannel().then((channel) => {
        channel.on('return', (message: Message) => {
          const id = message.properties.messageId as string | undefined;
          if (id !== undefined) this.#returned.add(id);
        });
        channel.on('error', (err: unknown) => {
          // An exchange deleted since it was checked: check every exchange again.
          if (replyCode(err) === 404) this.#forgetExchanges();
        });
        channel.on('close', () => {
          if (this.#publisher === opening) this.#publisher = undefined;
        });
        return channel;
      });
      opening.catch(() => {
        if (this.#publisher === opening) this.#publisher = undefined;
      });
      this.#publisher = opening;
    }
    return this.#publisher.catch((err) => {
      throw new LinkClosedError('Could not open a channel', { cause: err });
    });
  }

  #forgetExchanges(): void {
    this.#exchanges.clear();
    this.#exchanges.add('');
  }

  async #channel(): Promise<Channel> {
    if (this.#closed) throw new LinkClosedError();
    try {
      const channel = await this.#model.createChannel();
      channel.on('error', () => {});
      return channel;
    } catch (err) {
      throw new LinkClosedError('Could not open a channel', { cause: err });
    }
  }

  /** Run `fn` on a channel of its own, closed afterwards; broker refusals become Wharf errors. */
  async #admin<T>(fn: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.#channel();
    try {
      return await fn(channel);
    } catch (err) {
      throw this.#translate(err);
    } finally {
      await closeQuietly(channel);
    }
  }

  /** A refusal by the broker (404, 406 …) is the caller's to fix; anything else is a lost connection. */
  #translate(err: unknown): Error {
    const code = replyCode(err);
    if (code !== undefined && REQUEST_ERRORS.has(code) && !this.#closed) {
      return new MessagingTopologyError(replyText(err), { cause: err });
    }
    if (err instanceof MessagingTopologyError || err instanceof MessagePublishError) return err;
    return new LinkClosedError('Connection to the broker lost', { cause: err });
  }
}

/** Wharf's queues are classic queues, said explicitly: no delivery limit applies, Wharf counts attempts itself. */
function queueArguments(queue: QueueSpec): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': 'classic' };
  if (queue.messageTtlMs !== undefined) args['x-message-ttl'] = queue.messageTtlMs;
  if (queue.deadLetterExchange !== undefined) {
    args['x-dead-letter-exchange'] = queue.deadLetterExchange;
  }
  if (queue.deadLetterRoutingKey !== undefined) {
    args['x-dead-letter-routing-key'] = queue.deadLetterRoutingKey;
  }
  return args;
}

function consumed(channel: Channel, message: Message, open: () => boolean): Delivery {
  let settled = false;
  const settle = (fn: () => void): boolean => {
    if (settled || !open()) return false;
    try {
      fn();
      settled = true;
      return true;
    } catch {
      // The channel closed under us: the broker redelivers the message.
      return false;
    }
  };
  return {
    ...deliveryFields(message),
    get live() {
      return !settled && open();
    },
    ack: () => settle(() => channel.ack(message)),
    requeue: () => settle(() => channel.nack(message, false, true)),
  };
}

function deliveryFields(message: Message) {
  return {
    body: message.content,
    messageId: message.properties.messageId as string | undefined,
    headers: (message.properties.headers ?? {}) as Record<string, unknown>,
    exchange: message.fields.exchange,
    routingKey: message.fields.routingKey,
    redelivered: message.fields.redelivered,
  };
}

/** amqplib's error for an operation on a closed channel or connection. */
function isIllegalOperation(err: unknown): boolean {
  return (err as { name?: unknown } | undefined)?.name === 'IllegalOperationError';
}

async function closeQuietly(channel: Channel): Promise<void> {
  try {
    await channel.close();
  } catch {
    // Closed already (by the broker, or with the connection).
  }
}

/** The AMQP reply code of a channel closed by the broker (amqplib passes the close frame or an error with `code`). */
function replyCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; fields?: { replyCode?: unknown } } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.fields?.replyCode === 'number') return e.fields.replyCode;
  return undefined;
}

function replyText(err: unknown): string {
  const e = err as { message?: unknown; fields?: { replyText?: unknown } } | undefined;
  if (typeof e?.fields?.replyText === 'string') return e.fields.replyText;
  return typeof e?.message === 'string' ? e.message : String(err);
}

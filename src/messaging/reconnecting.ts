import { MessagingTopologyError, MessagingUnavailableError } from '../errors/index.js';
import { backoffDelay } from './backoff.js';
import {
  type Broker,
  type BrokerEvent,
  type BrokerLink,
  type Delivery,
  emptyTopology,
  LinkClosedError,
  type LinkConsumer,
  type MessageProperties,
  type Subscription,
  type Topology,
} from './broker.js';
import { type Pause, pause, withTimeout } from './timers.js';

export interface ReconnectingBrokerOptions {
  kind: Broker['kind'];
  /** Open one connection. */
  open: () => Promise<BrokerLink>;
  connectTimeoutMs: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  publishTimeoutMs: number;
  onEvent?: (event: BrokerEvent) => void;
}

/** A consumer as the broker remembers it, so it can be subscribed again after a reconnection. */
interface Consumer {
  readonly queue: string;
  readonly prefetch: number;
  readonly onDelivery: (delivery: Delivery) => void;
  link: BrokerLink | undefined;
  current: LinkConsumer | undefined;
  attaching: Promise<void> | undefined;
  cancelled: boolean;
}

/**
 * The connection handling both brokers share: the first connection within
 * `connectTimeoutMs`, then after every drop a new one with bounded exponential backoff, on
 * which the topology is declared and every consumer subscribed again. Unacknowledged
 * deliveries of the lost connection are redelivered by the broker; publishes waiting for a
 * confirm are sent again on the new connection.
 */
export class ReconnectingBroker implements Broker {
  readonly kind: Broker['kind'];
  readonly #options: ReconnectingBrokerOptions;
  readonly #topology: Topology = emptyTopology();
  /** Bumped by every `declare`, so a connection being set up sees late declarations too. */
  #topologyVersion = 0;
  readonly #consumers = new Set<Consumer>();
  readonly #waiters = new Set<() => void>();
  #link: BrokerLink | undefined;
  #connecting: Promise<void> | undefined;
  #reconnecting: Promise<void> | undefined;
  readonly #pauses = new Set<Pause>();
  #closed = false;

  constructor(options: ReconnectingBrokerOptions) {
    this.kind = options.kind;
    this.#options = options;
  }

  get connected(): boolean {
    return this.#link !== undefined;
  }

  connect(): Promise<void> {
    this.#connecting ??= this.#firstConnection();
    return this.#connecting;
  }

  async declare(topology: Partial<Topology>): Promise<void> {
    mergeTopology(this.#topology, topology);
    this.#topologyVersion++;
    const link = this.#link;
    if (link) await link.declare(this.#topology);
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: MessageProperties,
  ): Promise<void> {
    const deadline = Date.now() + this.#options.publishTimeoutMs;
    let lastError: Error | undefined;
    for (;;) {
      if (lastError && Date.now() >= deadline) {
        throw new MessagingUnavailableError(
          'The message broker did not take the message in time',
          lastError,
        );
      }
      const link = await this.#waitForLink(deadline, lastError);
      try {
        await withTimeout(
          link.publish(exchange, routingKey, body, properties),
          deadline - Date.now(),
          () => new MessagingUnavailableError('The message broker did not confirm in time'),
        );
        return;
      } catch (err) {
        if (!(err instanceof LinkClosedError)) throw err;
        // Whether the broker kept it is unknown: send it again (consumers may see it twice).
        lastError = err;
        // The connection is still up when only the channel closed: do not spin on it.
        if (this.#link === link) {
          await pause(Math.min(this.#options.reconnectDelayMs, deadline - Date.now())).done;
        }
      }
    }
  }

  async subscribe(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<Subscription> {
    const consumer: Consumer = {
      queue,
      prefetch,
      onDelivery,
      link: undefined,
      current: undefined,
      attaching: undefined,
      cancelled: false,
    };
    this.#consumers.add(consumer);
    const link = this.#link;
    if (link) {
      try {
        await this.#attach(consumer, link);
      } catch (err) {
        this.#consumers.delete(consumer);
        throw err;
      }
    }
    return this.#subscription(consumer);
  }

  get(queue: string): Promise<Delivery | null> {
    return this.#withLink((link) => link.get(queue));
  }

  purgeQueue(queue: string): Promise<number> {
    return this.#withLink((link) => link.purgeQueue(queue));
  }

  deleteQueue(queue: string): Promise<void> {
    return this.#withLink((link) => link.deleteQueue(queue));
  }

  deleteExchange(exchange: string): Promise<void> {
    return this.#withLink((link) => link.deleteExchange(exchange));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pauses) pending.wake();
    this.#wakeWaiters();
    const link = this.#link;
    this.#link = undefined;
    for (const consumer of this.#consumers) consumer.current = undefined;
    this.#consumers.clear();
    await link?.close();
    // A connection attempt under way ends by itself: it sees #closed and closes its link.
    await this.#connecting?.catch(() => {});
    await this.#reconnecting;
  }

  async #firstConnection(): Promise<void> {
    const { connectTimeoutMs } = this.#options;
    const deadline = Date.now() + connectTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new MessagingUnavailableError('Messaging is stopped');
      try {
        await this.#establish(deadline);
        return;
      } catch (err) {
        if (err instanceof MessagingTopologyError || this.#closed) throw err;
        const error = asError(err);
        const delayMs = this.#delay(attempt);
        if (Date.now() + delayMs >= deadline) {
          throw new MessagingUnavailableError(
            `Could not connect to the message broker within ${connectTimeoutMs} ms: ${error.message}`,
            error,
          );
        }
        this.#emit({ type: 'reconnect-scheduled', attempt, delayMs, error });
        await this.#wait(delayMs);
      }
    }
  }

  /** Open a connection, declare the topology on it, adopt it and subscribe the consumers. */
  async #establish(deadline: number): Promise<void> {
    const link = await withTimeout(
      this.#options.open(),
      deadline - Date.now(),
      () => new Error('Connecting to the message broker timed out'),
    );
    let lost: Error | undefined;
    let ended = false;
    link.onClose((error) => {
      ended = true;
      lost = error;
      this.#lost(link, error);
    });
    try {
      let version: number;
      do {
        version = this.#topologyVersion;
        await link.declare(this.#topology);
      } while (version !== this.#topologyVersion);
      if (ended) throw lost ?? new LinkClosedError();
      if (this.#closed) throw new MessagingUnavailableError('Messaging is stopped');
    } catch (err) {
      await link.close().catch(() => {});
      throw err;
    }
    this.#link = link;
    this.#emit({ type: 'connected' });
    this.#wakeWaiters();
    for (const consumer of this.#consumers) {
      await this.#attach(consumer, link).catch(() => this.#resubscribe(consumer, link));
    }
  }

  async #attach(consumer: Consumer, link: BrokerLink): Promise<void> {
    if (consumer.cancelled || consumer.attaching || consumer.link === link) return;
    const attaching = link
      .consume(consumer.queue, consumer.prefetch, consumer.onDelivery, () => {
        if (consumer.cancelled || consumer.link !== link || !consumer.current) return;
        // Cancelled by the broker (its queue was deleted): declare and subscribe again.
        const lost = consumer.current;
        consumer.current = undefined;
        consumer.link = undefined;
        void lost.close().catch(() => {});
        this.#resubscribe(consumer, link);
      })
      .then((current) => {
        consumer.link = link;
        consumer.current = current;
      });
    consumer.attaching = attaching;
    try {
      await attaching;
    } finally {
      consumer.attaching = undefined;
    }
    // Cancelled while subscribing: undo it.
    if (consumer.cancelled) await consumer.current?.cancel().catch(() => {});
  }

  /**
   * A consumer lost its subscription while the connection stayed up: declare the topology
   * again and subscribe it, with backoff, until that works, the connection changes (the
   * new one subscribes it anyway) or it is cancelled.
   */
  #resubscribe(consumer: Consumer, link: BrokerLink): void {
    this.#emit({ type: 'subscription-lost', queue: consumer.queue });
    const retry = async () => {
      for (let attempt = 1; ; attempt++) {
        await this.#wait(this.#delay(attempt));
        if (this.#closed || consumer.cancelled || this.#link !== link) return;
        if (consumer.link === link) return;
        try {
          await link.declare(this.#topology);
          await this.#attach(consumer, link);
          return;
        } catch {
          // Next attempt after a longer wait.
        }
      }
    };
    void retry();
  }

  #subscription(consumer: Consumer): Subscription {
    const broker = this;
    return {
      queue: consumer.queue,
      get active() {
        return (
          !consumer.cancelled &&
          consumer.current !== undefined &&
          consumer.link !== undefined &&
          consumer.link === broker.#link
        );
      },
      async cancel() {
        if (consumer.cancelled) return;
        consumer.cancelled = true;
        await consumer.attaching?.catch(() => {});
        if (consumer.link === broker.#link) await consumer.current?.cancel().catch(() => {});
      },
      async close() {
        await this.cancel();
        broker.#consumers.delete(consumer);
        const current = consumer.current;
        consumer.current = undefined;
        if (consumer.link === broker.#link) await current?.close().catch(() => {});
      },
    };
  }

  #lost(link: BrokerLink, error: Error | undefined): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#emit({ type: 'disconnected', error });
    if (!this.#closed) this.#reconnecting ??= this.#reconnect(error ?? new LinkClosedError());
  }

  async #reconnect(cause: Error): Promise<void> {
    let error = cause;
    try {
      for (let attempt = 1; !this.#closed; attempt++) {
        const delayMs = this.#delay(attempt);
        this.#emit({ type: 'reconnect-scheduled', attempt, delayMs, error });
        await this.#wait(delayMs);
        if (this.#closed) return;
        try {
          await this.#establish(Date.now() + this.#options.connectTimeoutMs);
          return;
        } catch (err) {
          error = asError(err);
        }
      }
    } finally {
      this.#reconnecting = undefined;
    }
  }

  async #withLink<T>(fn: (link: BrokerLink) => Promise<T>): Promise<T> {
    const link = await this.#waitForLink(Date.now() + this.#options.publishTimeoutMs);
    try {
      return await fn(link);
    } catch (err) {
      if (err instanceof LinkClosedError) {
        throw new MessagingUnavailableError('Connection to the message broker was lost', err);
      }
      throw err;
    }
  }

  async #waitForLink(deadline: number, lastError?: Error): Promise<BrokerLink> {
    for (;;) {
      if (this.#closed) throw new MessagingUnavailableError('Messaging is stopped');
      if (this.#link) return this.#link;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new MessagingUnavailableError('No connection to the message broker', lastError);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
  }

  #wakeWaiters(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Wait `ms`, or less when the broker closes meanwhile. */
  async #wait(ms: number): Promise<void> {
    if (this.#closed) return;
    const pending = pause(ms);
    this.#pauses.add(pending);
    await pending.done;
    this.#pauses.delete(pending);
  }

  #delay(attempt: number): number {
    const { reconnectDelayMs, reconnectMaxDelayMs } = this.#options;
    return backoffDelay(attempt, reconnectDelayMs, Math.max(reconnectDelayMs, reconnectMaxDelayMs));
  }

  #emit(event: BrokerEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A failing log line must not break the connection handling.
    }
  }
}

/** Add what `more` declares to `into`, skipping what it already has. */
function mergeTopology(into: Topology, more: Partial<Topology>): void {
  for (const exchange of more.exchanges ?? []) {
    if (!into.exchanges.some((e) => e.name === exchange.name)) into.exchanges.push(exchange);
  }
  for (const queue of more.queues ?? []) {
    if (!into.queues.some((q) => q.name === queue.name)) into.queues.push(queue);
  }
  for (const binding of more.bindings ?? []) {
    const known = into.bindings.some(
      (b) =>
        b.queue === binding.queue &&
        b.exchange === binding.exchange &&
        b.routingKey === binding.routingKey,
    );
    if (!known) into.bindings.push(binding);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

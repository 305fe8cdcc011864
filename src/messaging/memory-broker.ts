import {
  MessagePublishError,
  MessageUnroutableError,
  MessagingTopologyError,
} from '../errors/index.js';
import type {
  BindingSpec,
  BrokerLink,
  Delivery,
  ExchangeSpec,
  LinkConsumer,
  MessageProperties,
  QueueSpec,
  Topology,
} from './broker.js';
import { LinkClosedError } from './broker.js';
import { topicMatches } from './topic.js';

/** A message as a queue holds it. */
interface Stored {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly exchange: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  /** When a queue's TTL dead-letters it; kept across requeues, as RabbitMQ does. */
  readonly expiresAt: number | undefined;
}

/** A message waiting in a queue, as `MemoryBrokerServer.messages()` shows it. */
export interface StoredMessage {
  readonly body: Buffer;
  readonly messageId: string;
  readonly headers: Record<string, unknown>;
  readonly exchange: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
}

/** A queue's counts, as `rabbitmqctl list_queues` would show them. */
export interface QueueStats {
  /** Waiting to be delivered. */
  ready: number;
  /** Delivered and not yet acknowledged. */
  unacked: number;
  consumers: number;
}

class MemoryQueue {
  readonly ready: Stored[] = [];
  readonly consumers: MemoryConsumer[] = [];
  /** Every consumer ever attached and still open, for the unacked count. */
  readonly open = new Set<MemoryConsumer>();
  next = 0;
  dispatching = false;
  expiry: NodeJS.Timeout | undefined;
  constructor(readonly spec: QueueSpec) {}
}

interface MemoryExchange {
  readonly spec: ExchangeSpec;
  readonly bindings: BindingSpec[];
}

class MemoryConsumer {
  readonly unacked = new Map<number, Stored>();
  cancelled = false;
  closed = false;
  #tag = 0;
  constructor(
    readonly queue: MemoryQueue,
    readonly connection: MemoryConnection,
    readonly prefetch: number,
    readonly onDelivery: (delivery: Delivery) => void,
    readonly onCancelled: () => void,
  ) {}

  get hasRoom(): boolean {
    return !this.cancelled && !this.closed && this.unacked.size < this.prefetch;
  }

  nextTag(): number {
    return ++this.#tag;
  }
}

/**
 * A message broker inside the process, with RabbitMQ's rules for what Wharf uses: durable
 * exchanges (direct, topic, fanout) and queues, the default exchange, per-queue TTL with
 * dead-lettering, publisher confirms, prefetch, round-robin between consumers, and
 * redelivery (flagged `redelivered`) of every unacknowledged message when its consumer or
 * connection closes. Messages live as long as the server object; nothing is written to disk.
 *
 * One server may be shared by several services of a process (pass it as `server` to
 * `createMessaging`); each gets its own connection.
 */
export class MemoryBrokerServer {
  readonly #exchanges = new Map<string, MemoryExchange>();
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #connections = new Set<MemoryConnection>();
  #refusing = false;

  /** Open a client connection; fails while `refuseConnections(true)` is in force. */
  async connect(): Promise<BrokerLink> {
    await Promise.resolve();
    if (this.#refusing)
      throw new Error('connect ECONNREFUSED (in-memory broker refuses connections)');
    const connection = new MemoryConnection(this);
    this.#connections.add(connection);
    return connection;
  }

  /** Close every client connection by force, as `rabbitmqctl close_all_connections` does. */
  dropConnections(reason = 'CONNECTION_FORCED - closed by the in-memory broker'): void {
    for (const connection of [...this.#connections]) connection.end(new Error(reason));
  }

  /** While true, new connections are refused (a broker that is down). */
  refuseConnections(refuse: boolean): void {
    this.#refusing = refuse;
  }

  /** Counts of `queue`, or undefined when it does not exist. */
  stats(queue: string): QueueStats | undefined {
    const q = this.#queues.get(queue);
    if (!q) return undefined;
    let unacked = 0;
    for (const consumer of q.open) unacked += consumer.unacked.size;
    return { ready: q.ready.length, unacked, consumers: q.consumers.length };
  }

  /** The messages waiting in `queue`, oldest first (empty when it does not exist). */
  messages(queue: string): StoredMessage[] {
    return (this.#queues.get(queue)?.ready ?? []).map((m) => ({
      body: m.body,
      messageId: m.properties.messageId,
      headers: structuredClone(m.properties.headers),
      exchange: m.exchange,
      routingKey: m.routingKey,
      redelivered: m.redelivered,
    }));
  }

  /** Drop every connection and forget every exchange, queue and timer. */
  close(): void {
    this.dropConnections('CONNECTION_FORCED - in-memory broker shut down');
    for (const queue of this.#queues.values()) clearTimeout(queue.expiry);
    this.#queues.clear();
    this.#exchanges.clear();
  }

  // --- used by connections -------------------------------------------------------------

  forget(connection: MemoryConnection): void {
    this.#connections.delete(connection);
  }

  declare(topology: Topology): void {
    for (const exchange of topology.exchanges) this.#declareExchange(exchange);
    for (const queue of topology.queues) this.#declareQueue(queue);
    for (const binding of topology.bindings) this.#bind(binding);
  }

  /** Route a message; false when the named exchange does not exist. */
  /** The number of queues the message went to; undefined when the exchange does not exist. */
  route(
    exchange: string,
    routingKey: string,
    stored: Omit<Stored, 'expiresAt'>,
  ): number | undefined {
    if (exchange === '') {
      const queue = this.#queues.get(routingKey);
      if (!queue) return 0;
      this.#enqueue(queue, stored);
      return 1;
    }
    const target = this.#exchanges.get(exchange);
    if (!target) return undefined;
    const queues = new Set<MemoryQueue>();
    for (const binding of target.bindings) {
      if (!bindingMatches(target.spec.type, binding.routingKey, routingKey)) continue;
      const queue = this.#queues.get(binding.queue);
      if (queue) queues.add(queue);
    }
    for (const queue of queues) this.#enqueue(queue, stored);
    return queues.size;
  }

  queue(name: string): MemoryQueue {
    const queue = this.#queues.get(name);
    if (!queue) throw new MessagingTopologyError(`NOT_FOUND - no queue '${name}'`);
    return queue;
  }

  subscribe(consumer: MemoryConsumer): void {
    consumer.queue.consumers.push(consumer);
    consumer.queue.open.add(consumer);
    this.schedule(consumer.queue);
  }

  /** basic.cancel: no new deliveries; the unacknowledged ones may still be acked. */
  cancel(consumer: MemoryConsumer): void {
    consumer.cancelled = true;
    const list = consumer.queue.consumers;
    const index = list.indexOf(consumer);
    if (index >= 0) list.splice(index, 1);
  }

  /** Channel closed: what it had not acknowledged goes back to the head of the queue. */
  release(consumer: MemoryConsumer): void {
    this.cancel(consumer);
    if (consumer.closed) return;
    consumer.closed = true;
    const queue = consumer.queue;
    queue.open.delete(consumer);
    const back = [...consumer.unacked.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, stored]) => ({ ...stored, redelivered: true }));
    consumer.unacked.clear();
    if (this.#queues.get(queue.spec.name) !== queue) return;
    queue.ready.unshift(...back);
    this.#armExpiry(queue);
    this.schedule(queue);
  }

  ack(consumer: MemoryConsumer, tag: number): boolean {
    if (consumer.closed || !consumer.unacked.delete(tag)) return false;
    this.schedule(consumer.queue);
    return true;
  }

  requeue(consumer: MemoryConsumer, tag: number): boolean {
    const stored = consumer.unacked.get(tag);
    if (consumer.closed || !stored) return false;
    consumer.unacked.delete(tag);
    consumer.queue.ready.unshift({ ...stored, redelivered: true });
    this.#armExpiry(consumer.queue);
    this.schedule(consumer.queue);
    return true;
  }

  /** Take the first live message off a queue (basic.get with no-ack). */
  take(name: string): Stored | undefined {
    const queue = this.queue(name);
    this.#expire(queue);
    const stored = queue.ready.shift();
    this.#armExpiry(queue);
    return stored;
  }

  purge(name: string): number {
    const queue = this.queue(name);
    const count = queue.ready.length;
    queue.ready.length = 0;
    return count;
  }

  deleteQueue(name: string): void {
    const queue = this.#queues.get(name);
    if (!queue) return;
    this.#queues.delete(name);
    clearTimeout(queue.expiry);
    queue.ready.length = 0;
    for (const exchange of this.#exchanges.values()) {
      removeWhere(exchange.bindings, (b) => b.queue === name);
    }
    for (const consumer of [...queue.consumers]) {
      this.cancel(consumer);
      consumer.onCancelled();
    }
  }

  deleteExchange(name: string): void {
    this.#exchanges.delete(name);
  }

  /** Deliver what can be delivered, soon (as a network would, never inside the caller's stack). */
  schedule(queue: MemoryQueue): void {
    if (queue.dispatching) return;
    queue.dispatching = true;
    setImmediate(() => {
      queue.dispatching = false;
      this.#dispatch(queue);
    });
  }

  #dispatch(queue: MemoryQueue): void {
    if (this.#queues.get(queue.spec.name) !== queue) return;
    this.#expire(queue);
    while (queue.ready.length > 0) {
      const consumer = this.#nextConsumer(queue);
      if (!consumer) break;
      const stored = queue.ready.shift() as Stored;
      const tag = consumer.nextTag();
      consumer.unacked.set(tag, stored);
      consumer.connection.deliver(consumer, tag, stored);
    }
    this.#armExpiry(queue);
  }

  /** Round robin over the consumers with room under their prefetch. */
  #nextConsumer(queue: MemoryQueue): MemoryConsumer | undefined {
    const count = queue.consumers.length;
    for (let i = 0; i < count; i++) {
      const consumer = queue.consumers[(queue.next + i) % count] as MemoryConsumer;
      if (consumer.hasRoom) {
        queue.next = (queue.next + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  #enqueue(queue: MemoryQueue, stored: Omit<Stored, 'expiresAt'>): void {
    const ttl = queue.spec.messageTtlMs;
    queue.ready.push({
      ...stored,
      body: Buffer.from(stored.body),
      properties: structuredClone(stored.properties),
      expiresAt: ttl === undefined ? undefined : Date.now() + ttl,
    });
    this.#armExpiry(queue);
    this.schedule(queue);
  }

  /** Dead-letter the expired messages at the head of the queue. */
  #expire(queue: MemoryQueue): void {
    const now = Date.now();
    for (;;) {
      const head = queue.ready[0];
      if (head?.expiresAt === undefined || head.expiresAt > now) return;
      queue.ready.shift();
      this.#deadLetter(queue, head);
    }
  }

  #deadLetter(queue: MemoryQueue, stored: Stored): void {
    const { deadLetterExchange, deadLetterRoutingKey } = queue.spec;
    if (deadLetterExchange === undefined) return;
    this.route(deadLetterExchange, deadLetterRoutingKey ?? stored.routingKey, {
      body: stored.body,
      properties: stored.properties,
      exchange: deadLetterExchange,
      routingKey: deadLetterRoutingKey ?? stored.routingKey,
      redelivered: false,
    });
  }

  /** One timer per TTL queue, for its head: with one TTL per queue the head expires first. */
  #armExpiry(queue: MemoryQueue): void {
    clearTimeout(queue.expiry);
    queue.expiry = undefined;
    const expiresAt = queue.ready[0]?.expiresAt;
    if (expiresAt === undefined) return;
    queue.expiry = setTimeout(
      () => {
        queue.expiry = undefined;
        this.#expire(queue);
        this.#armExpiry(queue);
      },
      Math.max(0, expiresAt - Date.now()),
    );
    // Messages parked for a retry must not keep the process alive.
    queue.expiry.unref();
  }

  #declareExchange(spec: ExchangeSpec): void {
    if (spec.name === '' || spec.name.startsWith('amq.')) {
      throw new MessagingTopologyError(
        `ACCESS_REFUSED - exchange name '${spec.name}' is reserved for the broker`,
      );
    }
    const existing = this.#exchanges.get(spec.name);
    if (!existing) {
      this.#exchanges.set(spec.name, { spec: { ...spec }, bindings: [] });
    } else if (existing.spec.type !== spec.type) {
      throw new MessagingTopologyError(
        `PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${spec.name}': received '${spec.type}' but current is '${existing.spec.type}'`,
      );
    }
  }

  #declareQueue(spec: QueueSpec): void {
    const existing = this.#queues.get(spec.name);
    if (!existing) {
      this.#queues.set(spec.name, new MemoryQueue({ ...spec }));
      return;
    }
    for (const key of ['messageTtlMs', 'deadLetterExchange', 'deadLetterRoutingKey'] as const) {
      if (existing.spec[key] !== spec[key]) {
        throw new MessagingTopologyError(
          `PRECONDITION_FAILED - inequivalent arg '${key}' for queue '${spec.name}': received ${String(spec[key])} but current is ${String(existing.spec[key])}`,
        );
      }
    }
  }

  #bind(binding: BindingSpec): void {
    const exchange = this.#exchanges.get(binding.exchange);
    if (!exchange) {
      throw new MessagingTopologyError(`NOT_FOUND - no exchange '${binding.exchange}'`);
    }
    this.queue(binding.queue);
    const known = exchange.bindings.some(
      (b) => b.queue === binding.queue && b.routingKey === binding.routingKey,
    );
    if (!known) exchange.bindings.push({ ...binding });
  }
}

/** One client connection to a `MemoryBrokerServer`. */
class MemoryConnection implements BrokerLink {
  readonly #server: MemoryBrokerServer;
  readonly #consumers = new Set<MemoryConsumer>();
  readonly #confirms = new Set<(error: Error | undefined) => void>();
  readonly #listeners: ((error: Error | undefined) => void)[] = [];
  #closed = false;
  #closeError: Error | undefined;

  constructor(server: MemoryBrokerServer) {
    this.#server = server;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async declare(topology: Topology): Promise<void> {
    await this.#tick();
    this.#server.declare(topology);
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: MessageProperties,
  ): Promise<void> {
    this.#assertOpen();
    const routed = this.#server.route(exchange, routingKey, {
      body,
      properties,
      exchange,
      routingKey,
      redelivered: false,
    });
    if (routed === undefined) {
      throw new MessagePublishError(`NOT_FOUND - no exchange '${exchange}'`);
    }
    if (routed === 0 && properties.mandatory)
      throw new MessageUnroutableError(exchange, routingKey);
    // The confirm comes a moment later; a connection lost meanwhile leaves the sender
    // not knowing whether the message was taken, as with a real broker.
    await new Promise<void>((resolve, reject) => {
      const confirm = (error: Error | undefined) => {
        this.#confirms.delete(confirm);
        if (error) reject(new LinkClosedError('Connection closed before the confirm'));
        else resolve();
      };
      this.#confirms.add(confirm);
      setImmediate(() => confirm(this.#closed ? (this.#closeError ?? new Error()) : undefined));
    });
  }

  async consume(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
    onCancelled: () => void,
  ): Promise<LinkConsumer> {
    await this.#tick();
    const consumer = new MemoryConsumer(
      this.#server.queue(queue),
      this,
      prefetch,
      onDelivery,
      onCancelled,
    );
    this.#consumers.add(consumer);
    this.#server.subscribe(consumer);
    return {
      cancel: async () => {
        this.#server.cancel(consumer);
      },
      close: async () => {
        this.#server.release(consumer);
        this.#consumers.delete(consumer);
      },
    };
  }

  deliver(consumer: MemoryConsumer, tag: number, stored: Stored): void {
    const server = this.#server;
    const delivery: Delivery = {
      body: Buffer.from(stored.body),
      messageId: stored.properties.messageId,
      headers: structuredClone(stored.properties.headers),
      exchange: stored.exchange,
      routingKey: stored.routingKey,
      redelivered: stored.redelivered,
      get live() {
        return !consumer.closed && consumer.unacked.has(tag);
      },
      ack: () => server.ack(consumer, tag),
      requeue: () => server.requeue(consumer, tag),
    };
    try {
      consumer.onDelivery(delivery);
    } catch {
      // A throwing callback must not stop deliveries to the others.
    }
  }

  async get(queue: string): Promise<Delivery | null> {
    await this.#tick();
    const stored = this.#server.take(queue);
    if (!stored) return null;
    return {
      body: Buffer.from(stored.body),
      messageId: stored.properties.messageId,
      headers: structuredClone(stored.properties.headers),
      exchange: stored.exchange,
      routingKey: stored.routingKey,
      redelivered: stored.redelivered,
      live: false,
      ack: () => false,
      requeue: () => false,
    };
  }

  async purgeQueue(queue: string): Promise<number> {
    await this.#tick();
    return this.#server.purge(queue);
  }

  async deleteQueue(queue: string): Promise<void> {
    await this.#tick();
    this.#server.deleteQueue(queue);
  }

  async deleteExchange(exchange: string): Promise<void> {
    await this.#tick();
    this.#server.deleteExchange(exchange);
  }

  async close(): Promise<void> {
    this.end(undefined);
  }

  onClose(listener: (error: Error | undefined) => void): void {
    if (this.#closed) queueMicrotask(() => listener(this.#closeError));
    else this.#listeners.push(listener);
  }

  /** Close the connection: its channels release their unacknowledged messages. */
  end(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    for (const consumer of this.#consumers) this.#server.release(consumer);
    this.#consumers.clear();
    for (const confirm of [...this.#confirms]) confirm(error ?? new Error('closed'));
    this.#server.forget(this);
    for (const listener of this.#listeners.splice(0)) listener(error);
  }

  async #tick(): Promise<void> {
    await Promise.resolve();
    this.#assertOpen();
  }

  #assertOpen(): void {
    if (this.#closed) throw new LinkClosedError();
  }
}

function bindingMatches(type: ExchangeSpec['type'], pattern: string, routingKey: string): boolean {
  if (type === 'fanout') return true;
  if (type === 'direct') return pattern === routingKey;
  return topicMatches(pattern, routingKey);
}

function removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
  for (let i = list.length - 1; i >= 0; i--) {
    if (predicate(list[i] as T)) list.splice(i, 1);
  }
}

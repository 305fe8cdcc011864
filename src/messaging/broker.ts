/**
 * The broker as Wharf's messaging sees it. Two implementations share one reconnecting
 * core (`reconnecting.ts`) and differ only in their per-connection link: RabbitMQ over
 * AMQP 0-9-1 (`amqp-broker.ts`) and an in-memory broker (`memory-broker.ts`) that keeps
 * the same rules — durable queues, per-queue TTL with dead-lettering, prefetch, and
 * redelivery of unacknowledged messages when a consumer or its connection goes away — so
 * code and tests behave alike on both.
 */

/** The exchange types both brokers route alike. */
export type ExchangeType = 'direct' | 'topic' | 'fanout';

export interface ExchangeSpec {
  name: string;
  type: ExchangeType;
}

export interface QueueSpec {
  name: string;
  /** Per-queue message TTL (`x-message-ttl`); expired messages are dead-lettered. */
  messageTtlMs?: number;
  /** Where expired messages go (`x-dead-letter-exchange`; `''` is the default exchange). */
  deadLetterExchange?: string;
  /** Their routing key there (`x-dead-letter-routing-key`); their own key when absent. */
  deadLetterRoutingKey?: string;
}

export interface BindingSpec {
  queue: string;
  exchange: string;
  /** For a topic exchange `*` matches one word and `#` zero or more; fanout ignores it. */
  routingKey: string;
}

/** Exchanges, queues and bindings; declared on every (re)connection. */
export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
}

/** The properties Wharf sets on every message. */
export interface MessageProperties {
  messageId: string;
  headers: Record<string, unknown>;
  /** Seconds since the epoch, as AMQP carries it. */
  timestamp?: number;
  contentType?: string;
  /** Fail with MessageUnroutableError, rather than drop it, when no queue takes it. */
  mandatory?: boolean;
}

/** A message handed out by the broker. */
export interface Delivery {
  readonly body: Buffer;
  readonly messageId: string | undefined;
  readonly headers: Record<string, unknown>;
  readonly exchange: string;
  readonly routingKey: string;
  /** The broker delivered it before (to this or another consumer) without an ack. */
  readonly redelivered: boolean;
  /**
   * False once the channel that delivered it is gone: an ack can no longer reach the
   * broker, which hands the message out again.
   */
  readonly live: boolean;
  /** Acknowledge; false when the delivery is no longer live (the ack went nowhere). */
  ack(): boolean;
  /** Hand the message back to its queue; false when the delivery is no longer live. */
  requeue(): boolean;
}

/** A consumer registered with the broker; it survives reconnections until cancelled. */
export interface Subscription {
  readonly queue: string;
  /** Subscribed on the current connection (false while disconnected or cancelled by the broker). */
  readonly active: boolean;
  /** Stop new deliveries (basic.cancel); unacknowledged ones may still be acked. */
  cancel(): Promise<void>;
  /** Cancel, then close its channel: what is still unacknowledged goes back to the queue. */
  close(): Promise<void>;
}

/** What the broker reports, for logs. */
export type BrokerEvent =
  | { type: 'connected' }
  | { type: 'disconnected'; error: Error | undefined }
  | { type: 'reconnect-scheduled'; attempt: number; delayMs: number; error: Error }
  | { type: 'subscription-lost'; queue: string };

export interface Broker {
  readonly kind: 'amqp' | 'memory';
  readonly connected: boolean;
  /**
   * Open the first connection (retrying with backoff within `connectTimeoutMs`) and declare
   * what was declared so far. Later drops reconnect by themselves until `close()`.
   */
  connect(): Promise<void>;
  /** Declare now (when connected) and again on every reconnection. */
  declare(topology: Partial<Topology>): Promise<void>;
  /**
   * Publish a persistent message and wait for the broker's confirm; across a dropped
   * connection it is sent again (so it may arrive twice), within `publishTimeoutMs`.
   * `exchange` `''` is the default exchange, where the routing key names the queue.
   */
  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: MessageProperties,
  ): Promise<void>;
  /** Consume `queue` with at most `prefetch` unacknowledged deliveries. */
  subscribe(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<Subscription>;
  /** Take one message off `queue` (no ack needed), or null when it is empty. */
  get(queue: string): Promise<Delivery | null>;
  /** Remove every ready message of `queue`; resolves to how many there were. */
  purgeQueue(queue: string): Promise<number>;
  deleteQueue(queue: string): Promise<void>;
  deleteExchange(exchange: string): Promise<void>;
  /** Close every channel and the connection; unacknowledged messages go back to their queues. */
  close(): Promise<void>;
}

/**
 * One connection of an implementation. The reconnecting core opens a new one after each
 * drop, declares the topology on it and subscribes the consumers again.
 */
export interface BrokerLink {
  declare(topology: Topology): Promise<void>;
  /** Resolves on the broker's confirm; rejects with `LinkClosedError` when the connection went away first. */
  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: MessageProperties,
  ): Promise<void>;
  consume(
    queue: string,
    prefetch: number,
    onDelivery: (delivery: Delivery) => void,
    onCancelled: () => void,
  ): Promise<LinkConsumer>;
  get(queue: string): Promise<Delivery | null>;
  purgeQueue(queue: string): Promise<number>;
  deleteQueue(queue: string): Promise<void>;
  deleteExchange(exchange: string): Promise<void>;
  close(): Promise<void>;
  /** `listener` runs once when the connection ends, whether closed or lost. */
  onClose(listener: (error: Error | undefined) => void): void;
}

export interface LinkConsumer {
  cancel(): Promise<void>;
  close(): Promise<void>;
}

/** The connection (or channel) went away before the operation completed; it may be retried. */
export class LinkClosedError extends Error {
  constructor(message = 'Connection to the broker closed', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkClosedError';
  }
}

/** A topology with nothing declared. */
export function emptyTopology(): Topology {
  return { exchanges: [], queues: [], bindings: [] };
}

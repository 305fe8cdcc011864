import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { type Context, context, isSpanContextValid, ROOT_CONTEXT } from '@opentelemetry/api';
import sjson from 'secure-json-parse';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { MessagePublishError, MessageUnroutableError, messageOf } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { recordError } from '../tracing/span.js';
import type { Broker, Delivery, Subscription, Topology } from './broker.js';
import { attemptsOf, type DeadReason, errorHeader, Header } from './headers.js';
import type { MessageTracing } from './tracing.js';

/** What a handler learns about the message besides its payload. */
export interface MessageContext {
  readonly messageId: string;
  /** The queue it was consumed from. */
  readonly queue: string;
  /** The exchange and routing key it was first published with. */
  readonly exchange: string;
  readonly routingKey: string;
  readonly headers: Readonly<Record<string, unknown>>;
  /** 1 on the first run, 2 on the first retry …; a redelivery after a lost connection does not count. */
  readonly attempt: number;
  /** The broker handed it out before without an ack (a consumer stopped or a connection dropped). */
  readonly redelivered: boolean;
  /** The messaging logger with `queue`, `message_id`, `attempt`, `trace_id` and `span_id`. */
  readonly log: Logger;
}

/** Handles one message; the message is acknowledged when it resolves and retried when it throws. */
export type MessageHandler<T> = (payload: T, message: MessageContext) => Promise<void> | void;

export interface ConsumerSettings {
  queue: string;
  retries: number;
  retryDelayMs: number;
  prefetch: number;
  schema: TSchema | undefined;
  handler: MessageHandler<unknown>;
}

/** What became of one delivery: handled and acked, sent to be retried, or dead-lettered. */
export type MessageOutcome = 'handled' | 'retried' | 'dead_lettered';

/** One delivery's fate, as `onMessage` listeners see it (metrics). */
export interface MessageEvent {
  readonly queue: string;
  readonly outcome: MessageOutcome;
  /** Why it was dead-lettered. */
  readonly reason?: DeadReason;
}

export type MessageListener = (event: MessageEvent) => void;

export interface ConsumerDeps {
  broker: Broker;
  log: Logger;
  tracing: MessageTracing;
  /** Told the outcome of each delivery once decided. */
  observe?: MessageListener;
}

/** The queues of one consumer: its own, the retry queue that feeds it back after the delay, and the dead queue. */
export function consumerTopology(queue: string, retryDelayMs: number): Partial<Topology> {
  return {
    queues: [
      { name: queue },
      {
        name: retryQueueOf(queue),
        messageTtlMs: retryDelayMs,
        deadLetterExchange: '',
        deadLetterRoutingKey: queue,
      },
      { name: deadQueueOf(queue) },
    ],
  };
}

export const retryQueueOf = (queue: string) => `${queue}.retry`;
export const deadQueueOf = (queue: string) => `${queue}.dead`;

type Decoded = { ok: true; payload: unknown } | { ok: false; reason: DeadReason; error: string };

/**
 * One queue's consumer. Each delivery runs the handler at once, so at most `prefetch`
 * handlers run together. Success acks; a throw moves the message to `<queue>.retry` (back
 * after `retryDelayMs`) with the failure count in `x-wharf-attempts`, or after `retries`
 * retries to `<queue>.dead`; an unreadable message goes to `.dead` at once. A message is
 * acked only after its copy was confirmed, so a crash in between duplicates, never loses it.
 */
export class QueueConsumer {
  readonly settings: ConsumerSettings;
  readonly #deps: ConsumerDeps;
  readonly #inFlight = new Set<Promise<void>>();
  #subscription: Subscription | undefined;
  #origin: Context = ROOT_CONTEXT;

  constructor(settings: ConsumerSettings, deps: ConsumerDeps) {
    this.settings = settings;
    this.#deps = deps;
  }

  get queue(): string {
    return this.settings.queue;
  }

  /** Subscribed on the current connection. */
  get active(): boolean {
    return this.#subscription?.active ?? false;
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  async start(): Promise<void> {
    // Deliveries arrive in whatever context the broker's callbacks carry (with the
    // in-memory broker, the publisher's); each message is traced from the context the
    // consumer was started in, which tells whose service it is.
    this.#origin = context.active();
    this.#subscription ??= await this.#deps.broker.subscribe(
      this.settings.queue,
      this.settings.prefetch,
      (delivery) => this.#track(this.#handle(delivery)),
    );
  }

  /** Stop taking deliveries; the running handlers go on. */
  async cancel(): Promise<void> {
    await this.#subscription?.cancel();
  }

  /** Wait for the running handlers, at most until `deadline`; resolves to how many are left. */
  async drain(deadline: number): Promise<number> {
    while (this.#inFlight.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
    return this.#inFlight.size;
  }

  /** Close the channel: unacknowledged messages go back to the queue. */
  async close(): Promise<void> {
    await this.#subscription?.close();
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((err) => this.#deps.log.error({ err }, 'message handling failed unexpectedly'))
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #handle(delivery: Delivery): Promise<void> {
    const { queue } = this.settings;
    const failures = attemptsOf(delivery.headers);
    // A message published without an id gets one here, kept on its retry and dead-letter
    // copies: an empty id shared by all such messages would make deduplication skip them.
    const messageId = delivery.messageId || randomUUID();
    const attempt = failures + 1;
    const { span, context: active } = this.#deps.tracing.startProcess(
      queue,
      {
        messageId,
        routingKey: delivery.routingKey,
        headers: delivery.headers,
        attempt,
        redelivered: delivery.redelivered,
      },
      this.#origin,
    );
    const ids = span.spanContext();
    const log = this.#deps.log.child({
      queue,
      message_id: messageId,
      attempt,
      ...(isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {}),
    });
    try {
      const decoded = decode(delivery.body, this.settings.schema);
      if (!decoded.ok) {
        recordError(span, new Error(decoded.error));
        log.error(
          { reason: decoded.reason, error: decoded.error },
          'unreadable message: dead-lettered',
        );
        this.#deps.observe?.({ queue, outcome: 'dead_lettered', reason: decoded.reason });
        await this.#forward(delivery, messageId, deadQueueOf(queue), log, {
          ...originHeaders(delivery),
          [Header.reason]: decoded.reason,
          [Header.error]: errorHeader(decoded.error),
          [Header.attempts]: failures,
          [Header.queue]: queue,
          [Header.deadAt]: new Date().toISOString(),
        });
        return;
      }
      try {
        await context.with(active, () =>
          this.settings.handler(
            decoded.payload,
            this.#contextOf(delivery, messageId, attempt, log),
          ),
        );
      } catch (err) {
        recordError(span, err);
        await this.#failed(delivery, messageId, failures + 1, err, log);
        return;
      }
      this.#deps.observe?.({ queue, outcome: 'handled' });
      if (!delivery.ack()) {
        log.warn('handled, but the connection that delivered it is gone: it will come again');
      }
    } finally {
      span.end();
    }
  }

  async #failed(
    delivery: Delivery,
    messageId: string,
    failures: number,
    err: unknown,
    log: Logger,
  ): Promise<void> {
    const { queue, retries, retryDelayMs } = this.settings;
    const message = messageOf(err);
    const origin = originHeaders(delivery);
    if (failures > retries) {
      log.error({ err, attempts: failures }, 'handler failed for the last time: dead-lettered');
      this.#deps.observe?.({ queue, outcome: 'dead_lettered', reason: 'handler-failed' });
      await this.#forward(delivery, messageId, deadQueueOf(queue), log, {
        ...origin,
        [Header.reason]: 'handler-failed' satisfies DeadReason,
        [Header.error]: errorHeader(message),
        [Header.attempts]: failures,
        [Header.queue]: queue,
        [Header.deadAt]: new Date().toISOString(),
      });
      return;
    }
    log.warn(
      { err, attempts: failures, retries, retryDelayMs },
      `handler failed: retry ${failures} of ${retries} in ${retryDelayMs} ms`,
    );
    this.#deps.observe?.({ queue, outcome: 'retried' });
    await this.#forward(delivery, messageId, retryQueueOf(queue), log, {
      ...origin,
      [Header.error]: errorHeader(message),
      [Header.attempts]: failures,
    });
  }

  /** Move the message to `target` (confirmed), then ack it here. */
  async #forward(
    delivery: Delivery,
    messageId: string,
    target: string,
    log: Logger,
    headers: Record<string, unknown>,
  ): Promise<void> {
    if (!delivery.live) {
      // Its connection is gone: the broker hands the original out again, so no copy.
      log.warn({ target }, 'connection lost before the message was moved: it will come again');
      return;
    }
    const copy = (copyHeaders: Record<string, unknown>) =>
      this.#deps.broker.publish('', target, delivery.body, {
        messageId,
        headers: copyHeaders,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
        // Without a queue to take it (deleted while running) the copy would vanish
        // while the original is acked.
        mandatory: true,
      });
    const allHeaders = { ...delivery.headers, ...headers };
    try {
      await copy(allHeaders).catch(async (err: unknown) => {
        if (err instanceof MessageUnroutableError) {
          const { queue, retryDelayMs } = this.settings;
          await this.#deps.broker.declare(consumerTopology(queue, retryDelayMs));
          log.warn({ target }, 'the queue was gone: declared it again');
          return copy(allHeaders);
        }
        // Refused for good, e.g. the headers grew past what AMQP can encode. Put back in
        // its queue it would come straight back and fail the same way, without end.
        if (!(err instanceof MessagePublishError)) throw err;
        await copy({ ...headers, [Header.headersDropped]: true });
        log.warn(
          { err, target },
          "moved without the message's own headers, which it could not carry",
        );
      });
    } catch (err) {
      log.error({ err, target }, 'could not move the message: it goes back to its queue');
      delivery.requeue();
      return;
    }
    delivery.ack();
  }

  #contextOf(delivery: Delivery, messageId: string, attempt: number, log: Logger): MessageContext {
    const { headers } = delivery;
    const stored = (name: string, fallback: string) =>
      typeof headers[name] === 'string' ? (headers[name] as string) : fallback;
    return {
      messageId,
      queue: this.settings.queue,
      exchange: stored(Header.exchange, delivery.exchange),
      routingKey: stored(Header.routingKey, delivery.routingKey),
      headers,
      attempt,
      redelivered: delivery.redelivered,
      log,
    };
  }
}

/** Where the message was first published, kept on its retry and dead-letter copies. */
function originHeaders(delivery: Delivery): Record<string, unknown> {
  return {
    [Header.exchange]: delivery.headers[Header.exchange] ?? delivery.exchange,
    [Header.routingKey]: delivery.headers[Header.routingKey] ?? delivery.routingKey,
  };
}

const SCAN_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** JSON with the same guard as request bodies, then the consumer's schema. */
function decode(body: Buffer, schema: TSchema | undefined): Decoded {
  // Decoding invalid bytes would hand the handler U+FFFD in place of what was sent.
  if (!isUtf8(body)) return { ok: false, reason: 'invalid-json', error: 'body is not valid UTF-8' };
  let payload: unknown;
  try {
    payload = sjson.parse(body.toString('utf8'), null, SCAN_OPTIONS);
  } catch (err) {
    return { ok: false, reason: 'invalid-json', error: messageOf(err) };
  }
  if (!schema) return { ok: true, payload };
  try {
    if (Value.Check(schema, payload)) return { ok: true, payload };
    const first = Value.Errors(schema, payload)[0];
    const where = first?.instancePath || '/';
    return {
      ok: false,
      reason: 'invalid-payload',
      error: `${where} ${first?.message ?? 'does not match the schema'}`,
    };
  } catch (err) {
    // A payload nested deeper than the stack (against a recursive schema) makes the check
    // throw: the message must still be settled, not left unacknowledged for good.
    return { ok: false, reason: 'invalid-payload', error: messageOf(err) };
  }
}

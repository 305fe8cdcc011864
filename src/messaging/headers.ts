import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/**
 * The headers Wharf writes on the messages it moves to `<queue>.retry` and `<queue>.dead`.
 * They are plain AMQP headers, the same on both brokers.
 */
export const Header = {
  /** Handler runs that failed so far (0 or absent on a fresh message). */
  attempts: 'x-wharf-attempts',
  /** The message of the last failure: the handler's error, or why the message is unreadable. */
  error: 'x-wharf-error',
  /** Why the message is dead: see `DeadReason`. */
  reason: 'x-wharf-reason',
  /** The queue the message was consumed from when it died. */
  queue: 'x-wharf-queue',
  /** When it died (ISO 8601). */
  deadAt: 'x-wharf-dead-at',
  /** The exchange and routing key it was first published with (a retry comes back by the default exchange). */
  exchange: 'x-wharf-exchange',
  routingKey: 'x-wharf-routing-key',
  /**
   * Set on a retry or dead-letter copy that could not carry the message's own headers
   * (with Wharf's added they passed AMQP's 64 KiB limit): the copy has Wharf's only.
   */
  headersDropped: 'x-wharf-headers-dropped',
} as const;

/** Why a message went to `<queue>.dead`. */
export type DeadReason =
  /** The handler failed `retries + 1` times. */
  | 'handler-failed'
  /** The body is not JSON (or holds a prototype-poisoning key). */
  | 'invalid-json'
  /** The body does not match the consumer's schema. */
  | 'invalid-payload';

/** Longest error text written into a header; AMQP header tables are limited to 64 KiB. */
const MAX_ERROR_LENGTH = 1000;

export function errorHeader(message: string): string {
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 1)}…` : message;
}

/** Failed handler runs recorded on a message. */
export function attemptsOf(headers: Record<string, unknown>): number {
  const raw = headers[Header.attempts];
  // Number() would read `true`, `[3]` and `"0x2"` as counts; only a count is one.
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Reads trace headers from message headers, whatever case the sender used. */
export const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    let value = carrier[key];
    if (value === undefined) {
      const lower = key.toLowerCase();
      const match = Object.keys(carrier).find((k) => k.toLowerCase() === lower);
      value = match === undefined ? undefined : carrier[match];
    }
    if (Array.isArray(value)) {
      const all = value.map(text).filter((v): v is string => v !== undefined);
      return all.length > 0 ? all : undefined;
    }
    return text(value);
  },
};

export const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

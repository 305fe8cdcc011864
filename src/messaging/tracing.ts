import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Broker } from './broker.js';
import { headerGetter, headerSetter } from './headers.js';

/** The instrumentation scope of every messaging span. */
export const TRACER_NAME = 'wharf/messaging';

/**
 * Spans through `@opentelemetry/api` only; the provider is looked up per span, so an SDK
 * registered later is honoured, and with none the spans are no-ops that still carry the
 * trace from publisher to consumer.
 */
export interface MessageTracing {
  /** A PRODUCER span for one publish (or outbox write); its context goes into `headers`. */
  startSend(destination: Destination, headers: Record<string, unknown>): Span;
  /**
   * A CONSUMER span whose parent is the publisher's span found in `headers`. `origin`
   * (the root context unless given) lends everything but its span: which service's
   * tracing takes the span.
   */
  startProcess(
    queue: string,
    message: ProcessedMessage,
    origin?: Context,
  ): { span: Span; context: Context };
}

export interface Destination {
  exchange: string;
  routingKey: string;
  messageId: string;
  /** Written to the outbox, published later by the relay. */
  outbox?: boolean;
}

export interface ProcessedMessage {
  messageId: string;
  routingKey: string;
  headers: Record<string, unknown>;
  attempt: number;
  redelivered: boolean;
}

export function messageTracing(kind: Broker['kind'], provider?: TracerProvider): MessageTracing {
  const system = kind === 'amqp' ? 'rabbitmq' : 'in-memory';
  const tracer = () => (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  return {
    startSend(destination, headers) {
      const name = destination.exchange || destination.routingKey;
      const attributes: Attributes = {
        'messaging.system': system,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': name,
        'messaging.rabbitmq.destination.routing_key': destination.routingKey,
        'messaging.message.id': destination.messageId,
      };
      if (destination.outbox) attributes['wharf.messaging.outbox'] = true;
      const span = tracer().startSpan(`send ${name}`, { kind: SpanKind.PRODUCER, attributes });
      propagation.inject(trace.setSpan(context.active(), span), headers, headerSetter);
      return span;
    },
    startProcess(queue, message, origin = ROOT_CONTEXT) {
      const parent = propagation.extract(trace.deleteSpan(origin), message.headers, headerGetter);
      const span = tracer().startSpan(
        `process ${queue}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': system,
            'messaging.operation.type': 'process',
            'messaging.operation.name': 'process',
            'messaging.destination.name': queue,
            'messaging.rabbitmq.destination.routing_key': message.routingKey,
            'messaging.message.id': message.messageId,
            'wharf.messaging.attempt': message.attempt,
            'wharf.messaging.redelivered': message.redelivered,
          },
        },
        parent,
      );
      return { span, context: trace.setSpan(parent, span) };
    },
  };
}

import { openAmqpLink } from './amqp-broker.js';
import type { Broker, BrokerEvent } from './broker.js';
import type { MessagingConfig } from './config.js';
import { MemoryBrokerServer } from './memory-broker.js';
import { ReconnectingBroker } from './reconnecting.js';

export interface CreateBrokerOptions {
  /** The in-memory broker to connect to when `amqpUrl` is empty; a new one otherwise. */
  server?: MemoryBrokerServer;
  /** Shown by RabbitMQ as the connection's name. */
  connectionName?: string;
  onEvent?: (event: BrokerEvent) => void;
}

/** RabbitMQ when `config.amqpUrl` is set, else the in-memory broker; both reconnect alike. */
export function createBroker(config: MessagingConfig, options: CreateBrokerOptions = {}): Broker {
  const timing = {
    connectTimeoutMs: config.connectTimeoutMs,
    reconnectDelayMs: config.reconnectDelayMs,
    reconnectMaxDelayMs: config.reconnectMaxDelayMs,
    publishTimeoutMs: config.publishTimeoutMs,
    onEvent: options.onEvent,
  };
  if (config.amqpUrl) {
    const url = config.amqpUrl;
    const connectionName = options.connectionName ?? 'wharf';
    return new ReconnectingBroker({
      kind: 'amqp',
      open: () => openAmqpLink({ url, connectTimeoutMs: config.connectTimeoutMs, connectionName }),
      ...timing,
    });
  }
  const server = options.server ?? new MemoryBrokerServer();
  return new ReconnectingBroker({ kind: 'memory', open: () => server.connect(), ...timing });
}

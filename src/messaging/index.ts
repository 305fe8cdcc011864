export type {
  BindingSpec,
  Broker,
  BrokerEvent,
  Delivery,
  ExchangeSpec,
  ExchangeType,
  MessageProperties,
  QueueSpec,
  Subscription,
  Topology,
} from './broker.js';
export { type MessagingConfig, resolveMessagingConfig } from './config.js';
export {
  deadQueueOf,
  type MessageContext,
  type MessageEvent,
  type MessageHandler,
  type MessageListener,
  retryQueueOf,
} from './consumer.js';
export { type CreateBrokerOptions, createBroker } from './create-broker.js';
export { MessageDeduplicator } from './dedup.js';
export { type DeadReason, Header } from './headers.js';
export {
  MemoryBrokerServer,
  type QueueStats,
  type StoredMessage,
} from './memory-broker.js';
export {
  type ConsumeOptions,
  type ConsumerStatus,
  createMessaging,
  type Messaging,
  type MessagingOptions,
  type MessagingStatus,
  type MessagingTopology,
  type PublishOptions,
} from './messaging.js';
export {
  ensureMessagingTables,
  MESSAGING_TABLES_SQL,
  pruneProcessedMessages,
  recordProcessed,
} from './outbox.js';
export { messagingHealthCheck, type UseMessagingOptions, useMessaging } from './service.js';
export { TRACER_NAME } from './tracing.js';

import type { HealthCheck } from '../health/index.js';
import { observeMessaging } from '../metrics/messaging.js';
import { type MetricsSource, metricsOf } from '../metrics/service.js';
import type { Service } from '../service/index.js';
import type { Messaging } from './messaging.js';

/** A readiness check that passes while messaging is started, connected and every consumer subscribed. */
export function messagingHealthCheck(messaging: Messaging): HealthCheck {
  return () => messaging.check();
}

export interface UseMessagingOptions {
  /** Name of the readiness check; `messaging` unless given. */
  name?: string;
}

/**
 * Tie messaging to a service's lifecycle: it starts (connects, declares the topology,
 * subscribes the consumers, starts the outbox relay) before the service serves, readiness
 * reports the broker connection and the consumers, and at shutdown — after the server
 * stopped taking requests — consumers stop taking deliveries, running handlers finish
 * (within `messaging.drainTimeoutMs`) and the connection closes. When the service collects
 * metrics, what became of each delivery is among them (`messaging_messages_*_total`).
 *
 * Call `useDatabase` first when messaging uses the database's outbox: stop hooks run in
 * reverse order, so messaging then stops before the database closes.
 */
export function useMessaging<M extends Messaging>(
  service: Pick<Service, 'health' | 'onStart' | 'onStop'> & MetricsSource,
  messaging: M,
  options: UseMessagingOptions = {},
): M {
  const metrics = metricsOf(service);
  if (metrics) observeMessaging(metrics, messaging);
  service.health.register(options.name ?? 'messaging', messagingHealthCheck(messaging));
  service.onStart(() => messaging.start());
  service.onStop(() => messaging.stop());
  return messaging;
}

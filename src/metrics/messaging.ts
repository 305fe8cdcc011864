import type { Messaging } from '../messaging/messaging.js';
import { counter, type MetricsContext } from './registry.js';

/**
 * `messaging_messages_consumed_total`, `…_retried_total` and `…_dead_lettered_total` by
 * queue (and reason for dead letters). Resolves to the function that stops observing.
 */
export function observeMessaging(
  ctx: MetricsContext,
  messaging: Pick<Messaging, 'onMessage'>,
): () => void {
  const consumed = counter(ctx, {
    name: 'messaging_messages_consumed_total',
    help: 'Deliveries a consumer took from its queue, whatever became of them.',
    labelNames: ['queue'],
  });
  const retried = counter(ctx, {
    name: 'messaging_messages_retried_total',
    help: 'Deliveries whose handler threw and that were sent to <queue>.retry.',
    labelNames: ['queue'],
  });
  const dead = counter(ctx, {
    name: 'messaging_messages_dead_lettered_total',
    help: 'Deliveries sent to <queue>.dead, by reason (handler-failed, invalid-json, invalid-payload).',
    labelNames: ['queue', 'reason'],
  });
  return messaging.onMessage(({ queue, outcome, reason }) => {
    consumed.inc({ queue });
    if (outcome === 'retried') retried.inc({ queue });
    else if (outcome === 'dead_lettered') dead.inc({ queue, reason: reason ?? 'unknown' });
  });
}

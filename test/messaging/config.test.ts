import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from 'wharf';
import { createMessaging, resolveMessagingConfig } from 'wharf/messaging';

describe('messaging configuration', () => {
  it('defaults to the in-memory broker with bounded retry, reconnect and outbox settings', () => {
    expect(resolveMessagingConfig()).toEqual({
      amqpUrl: '',
      prefetch: 16,
      retries: 3,
      retryDelayMs: 5_000,
      connectTimeoutMs: 10_000,
      reconnectDelayMs: 100,
      reconnectMaxDelayMs: 5_000,
      publishTimeoutMs: 10_000,
      drainTimeoutMs: 5_000,
      outboxIntervalMs: 500,
      outboxBatchSize: 100,
    });
    expect(createMessaging().broker.kind).toBe('memory');
  });

  it('takes the RabbitMQ URL from AMQP_URL', async () => {
    const config = await loadConfig({
      env: { AMQP_URL: 'amqp://guest:guest@rabbit:5672' },
      cwd: '/nonexistent',
    });
    expect(config.messaging.amqpUrl).toBe('amqp://guest:guest@rabbit:5672');
    expect(createMessaging(config.messaging).broker.kind).toBe('amqp');
  });

  it('refuses settings out of bounds', () => {
    expect(() => resolveMessagingConfig({ prefetch: 0 })).toThrow(ConfigError);
    expect(() => resolveMessagingConfig({ retries: 1_000 })).toThrow(/messaging\.retries/);
    expect(() => createMessaging().consume('q', () => {}, { prefetch: 0 })).toThrow(RangeError);
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import {
  createMessaging,
  MemoryBrokerServer,
  type Messaging,
  type MessagingConfig,
  type MessagingOptions,
} from 'wharf/messaging';

const run = promisify(execFile);
const amqpUrl = process.env.AMQP_URL;

/** Short delays, so retries and reconnections happen within a test. */
export const FAST: Partial<MessagingConfig> = {
  retryDelayMs: 50,
  reconnectDelayMs: 20,
  reconnectMaxDelayMs: 200,
  connectTimeoutMs: 5_000,
  publishTimeoutMs: 10_000,
  drainTimeoutMs: 2_000,
  outboxIntervalMs: 50,
};

export type BrokerName = 'memory' | 'rabbitmq';

/** The in-memory broker always; the machine's RabbitMQ too when AMQP_URL is set. */
export const brokerNames: BrokerName[] = amqpUrl ? ['memory', 'rabbitmq'] : ['memory'];

export interface MessagingSetup extends Omit<MessagingOptions, 'server'> {
  config?: Partial<MessagingConfig>;
}

/**
 * One test's brokers: names no other test (or parallel file) uses, messaging instances
 * stopped afterwards, and on RabbitMQ every queue and exchange named here deleted.
 */
export class BrokerHarness {
  readonly broker: BrokerName;
  /** The in-memory broker every messaging of this test shares. */
  readonly server = new MemoryBrokerServer();
  readonly #id = randomBytes(4).toString('hex');
  readonly #queues = new Set<string>();
  readonly #exchanges = new Set<string>();
  readonly #instances: Messaging[] = [];

  constructor(broker: BrokerName) {
    this.broker = broker;
  }

  /** The RabbitMQ connection names of this test start with it. */
  get connectionPrefix(): string {
    return `wharf:test-${this.#id}`;
  }

  queue(prefix: string): string {
    const name = `${prefix}.${this.#id}.${randomBytes(3).toString('hex')}`;
    this.#queues.add(name);
    return name;
  }

  exchange(prefix: string): string {
    const name = `${prefix}.${this.#id}.${randomBytes(3).toString('hex')}`;
    this.#exchanges.add(name);
    return name;
  }

  config(config: Partial<MessagingConfig> = {}): Partial<MessagingConfig> {
    return { ...FAST, ...config, amqpUrl: this.broker === 'rabbitmq' ? amqpUrl : '' };
  }

  messaging(setup: MessagingSetup = {}): Messaging {
    const { config, ...options } = setup;
    const messaging = createMessaging(this.config(config), {
      ...options,
      name: `test-${this.#id}-${options.name ?? this.#instances.length}`,
      server: this.server,
    });
    this.#instances.push(messaging);
    return messaging;
  }

  /** Close every connection of this test by force, as a network failure or broker restart would. */
  async dropConnections(): Promise<void> {
    if (this.broker === 'memory') {
      this.server.dropConnections();
      return;
    }
    const { stdout } = await run(
      'rabbitmqctl',
      ['list_connections', 'pid', 'client_properties', '-q'],
      {
        timeout: 30_000,
      },
    );
    const pids = stdout
      .split('\n')
      .filter((line) => line.includes(`"connection_name","${this.connectionPrefix}`))
      .map((line) => line.split('\t')[0] as string);
    if (pids.length === 0) throw new Error('No RabbitMQ connection of this test to close');
    for (const pid of pids) {
      await run('rabbitmqctl', ['close_connection', pid, 'closed by a Wharf test'], {
        timeout: 30_000,
      });
    }
  }

  async cleanup(): Promise<void> {
    for (const messaging of this.#instances.splice(0)) await messaging.stop().catch(() => {});
    if (this.broker === 'rabbitmq') {
      const admin = createMessaging(this.config(), { name: `test-${this.#id}-cleanup` });
      await admin.start();
      for (const queue of this.#queues) {
        for (const name of [queue, `${queue}.retry`, `${queue}.dead`]) {
          await admin.broker.deleteQueue(name);
        }
      }
      for (const exchange of this.#exchanges) await admin.broker.deleteExchange(exchange);
      await admin.stop();
    }
    this.server.close();
  }
}

/** Resolves when `condition` holds, polling; fails the test after `timeoutMs`. */
export async function eventually(condition: () => unknown, timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error('condition not met yet');
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/** A promise and its resolver, to hold handlers until the test lets them go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Every message waiting in `queue`, taken off it. */
export async function drainQueue(messaging: Messaging, queue: string) {
  const messages = [];
  for (;;) {
    const delivery = await messaging.broker.get(queue);
    if (!delivery) return messages;
    messages.push(delivery);
  }
}

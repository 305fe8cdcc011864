/**
 * Consumer throughput of wharf/messaging: messages per second published to a queue and
 * handled by an empty consumer (acknowledged after it resolves), on the in-memory broker
 * and, when an AMQP URL is given, on RabbitMQ. Runs inside the benchmark process.
 *
 *   node --conditions=source --import tsx bench/messaging.ts   (AMQP_URL for RabbitMQ too)
 */
import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { createMessaging, MemoryBrokerServer } from 'wharf/messaging';
import type { InProcessResult } from './report.js';

/** Messages per measurement, and how many publishes are in flight at once. */
const MESSAGES = 20_000;
const IN_FLIGHT = 200;
const DONE_TIMEOUT_MS = 120_000;

/** Publish MESSAGES to a fresh queue and wait until the consumer has handled them all. */
async function throughput(amqpUrl: string, prefetch: number): Promise<number> {
  const queue = `wharf.bench.${randomBytes(4).toString('hex')}`;
  const messaging = createMessaging(
    { amqpUrl, prefetch },
    { name: 'bench', server: amqpUrl ? undefined : new MemoryBrokerServer() },
  );
  let handled = 0;
  let allHandled: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  messaging.consume(queue, () => {
    if (++handled === MESSAGES) allHandled();
  });
  await messaging.start();
  try {
    const started = performance.now();
    for (let sent = 0; sent < MESSAGES; sent += IN_FLIGHT) {
      const batch = Math.min(IN_FLIGHT, MESSAGES - sent);
      await Promise.all(
        Array.from({ length: batch }, (_, i) => messaging.publish('', queue, { n: sent + i })),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`only ${handled} of ${MESSAGES} messages handled`)),
        DONE_TIMEOUT_MS,
      );
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    return (MESSAGES * 1000) / (performance.now() - started);
  } finally {
    await messaging.stop();
    if (amqpUrl) await deleteQueues(amqpUrl, queue);
  }
}

/** The queue and the retry and dead queues consuming it declared: a shared broker keeps no trace. */
async function deleteQueues(amqpUrl: string, queue: string): Promise<void> {
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const name of [queue, `${queue}.retry`, `${queue}.dead`]) await channel.deleteQueue(name);
  } finally {
    await connection.close();
  }
}

/** The measurements, in-memory first; RabbitMQ too when `amqpUrl` is set. */
export async function measureMessaging(amqpUrl: string): Promise<InProcessResult[]> {
  const prefetch = 32;
  const detail = (broker: string) =>
    `${MESSAGES} messages to one queue (${IN_FLIGHT} publishes in flight), an empty handler, prefetch ${prefetch}, ${broker}; publish to last ack`;
  const results: InProcessResult[] = [
    {
      name: 'consumer throughput (memory)',
      value: await throughput('', prefetch),
      unit: 'messages/s',
      detail: detail('in-memory broker'),
    },
  ];
  if (amqpUrl) {
    results.push({
      name: 'consumer throughput (RabbitMQ)',
      value: await throughput(amqpUrl, prefetch),
      unit: 'messages/s',
      detail: detail('RabbitMQ, publisher confirms'),
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await measureMessaging(process.env.AMQP_URL ?? '')) {
    console.log(`${r.name}: ${Math.round(r.value)} ${r.unit}`);
  }
}

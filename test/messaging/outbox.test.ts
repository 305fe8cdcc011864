import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from 'wharf/db';
import { type Messaging, recordProcessed } from 'wharf/messaging';
import { BrokerHarness, brokerNames, eventually } from './brokers.js';
import { type DatabasePlace, DB_START_MS, engines } from './databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRITER = fileURLToPath(new URL('./fixtures/outbox-writer.ts', import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(place: DatabasePlace): Promise<Database> {
  const db = createDatabase(place.config);
  cleanups.push(() => db.close());
  await db.ping();
  return db;
}

async function placeOf(
  engine: (typeof engines)[number],
  persistent = true,
): Promise<DatabasePlace> {
  const place = persistent ? await engine.place() : await engine.ephemeral();
  cleanups.push(() => place.remove());
  return place;
}

function harnessFor(broker: (typeof brokerNames)[number]): BrokerHarness {
  const harness = new BrokerHarness(broker);
  cleanups.push(() => harness.cleanup());
  return harness;
}

/** A consumer that applies each order once, whatever comes twice, and counts both. */
function dedupingConsumer(messaging: Messaging, db: Database, queue: string) {
  const deliveries: string[] = [];
  const tenants: unknown[] = [];
  messaging.consume(queue, async (payload, message) => {
    deliveries.push(message.messageId);
    tenants.push(message.headers.tenant);
    const { orderId } = payload as { orderId: number };
    await db.transaction(async (tx) => {
      if (!(await recordProcessed(tx, 'shipping', message.messageId))) return;
      await tx.execute`insert into shipments (order_id, message_id) values (${orderId}, ${message.messageId})`;
    });
  });
  return {
    deliveries,
    tenants,
    shipments: () =>
      db.fetch<{ order_id: number; message_id: string }>`
        select order_id, message_id from shipments order by order_id`,
  };
}

async function createShipments(db: Database): Promise<void> {
  await db.execute`create table if not exists shipments (order_id integer not null, message_id text not null)`;
}

/** Run the writer fixture until it committed; resolves to the message id it wrote. */
function runWriter(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; messageId: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WRITER], {
    cwd: ROOT,
    env: { ...process.env, ...env, AMQP_URL: '', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = /committed (\S+)\n/.exec(stdout);
      if (match) resolve({ child, messageId: match[1] as string });
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code) =>
      reject(new Error(`writer exited (${code}) before committing: ${stderr}`)),
    );
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.each(engines)('transactional outbox ($name)', (engine) => {
  describe.each(brokerNames)('%s broker', (broker) => {
    it(
      'publishes a message written in a committed transaction after the commit, and never one rolled back',
      async () => {
        const db = await open(await placeOf(engine, false));
        const harness = harnessFor(broker);
        const queue = harness.queue('shipping');
        await createShipments(db);
        const messaging = harness.messaging({ db });
        const consumer = dedupingConsumer(messaging, db, queue);
        await messaging.start();

        const committed = await db.transaction((tx) =>
          messaging.publish('', queue, { orderId: 1 }, { tx, headers: { tenant: 'acme' } }),
        );
        await db
          .transaction(async (tx) => {
            await messaging.publish('', queue, { orderId: 2 }, { tx });
            throw new Error('payment declined');
          })
          .catch(() => {});

        await eventually(async () => (await consumer.shipments()).length === 1);
        expect(await messaging.flushOutbox()).toBe(0);
        expect(await db.fetchval`select count(*)::int from outbox`).toBe(0);
        expect(await consumer.shipments()).toEqual([{ order_id: 1, message_id: committed }]);
        expect(consumer.deliveries).toEqual([committed]);
        expect(consumer.tenants).toEqual(['acme']);
      },
      DB_START_MS,
    );

    it(
      'publishes after a crash what a killed process committed, and the consumer applies it exactly once',
      async () => {
        const place = await placeOf(engine);
        const harness = harnessFor(broker);
        const queue = harness.queue('shipping');

        // A process commits an order with its message, then dies before any relay round.
        const writer = await runWriter({ ...place.env, QUEUE: queue, ORDER_ID: '42' });
        await killed(writer.child);

        // A new process: the relay publishes what it finds in the outbox.
        const db = await open(place);
        await createShipments(db);
        expect(await db.fetchval`select count(*)::int from orders where id = 42`).toBe(1);
        expect(await db.fetch`select message_id from outbox`).toEqual([
          { message_id: writer.messageId },
        ]);
        const messaging = harness.messaging({ db });
        const consumer = dedupingConsumer(messaging, db, queue);
        await messaging.start();
        await eventually(async () => (await consumer.shipments()).length === 1);

        // A relay that crashed after publishing and before deleting its row publishes the
        // row again: same message id, so the consumer skips it.
        await db.execute`insert into outbox (message_id, exchange, routing_key, body)
          values (${writer.messageId}, '', ${queue}, '{"orderId":42}')`;
        await messaging.flushOutbox();
        await eventually(() => consumer.deliveries.length === 2);
        await messaging.stop();

        expect(consumer.deliveries).toEqual([writer.messageId, writer.messageId]);
        expect(await consumer.shipments()).toEqual([
          { order_id: 42, message_id: writer.messageId },
        ]);
        expect(await db.fetchval`select count(*)::int from outbox`).toBe(0);
      },
      DB_START_MS,
    );
  });
});

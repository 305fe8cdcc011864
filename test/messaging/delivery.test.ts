import { afterEach, describe, expect, it } from 'vitest';
import { BrokerHarness, brokerNames, drainQueue, eventually, gate } from './brokers.js';

let harness: BrokerHarness | undefined;
const gates: (() => void)[] = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await harness?.cleanup();
  harness = undefined;
});

function held() {
  const g = gate();
  gates.push(g.open);
  return g;
}

describe.each(brokerNames)('deliveries (%s broker)', (broker) => {
  it('runs at most prefetch handlers at once and hands out the rest as they finish', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('jobs');
    const messaging = harness.messaging();
    const release = held();
    let running = 0;
    let most = 0;
    const done: number[] = [];
    messaging.consume(
      queue,
      async (job: unknown) => {
        running++;
        most = Math.max(most, running);
        await release.promise;
        running--;
        done.push((job as { n: number }).n);
      },
      { prefetch: 3 },
    );
    await messaging.start();
    for (let n = 0; n < 10; n++) await messaging.publish(queue, '', { n });

    await eventually(() => running === 3);
    // One more confirmed round trip: a broker ignoring prefetch would have sent more by now.
    await messaging.publish(queue, '', { n: 10 });
    expect(messaging.status().consumers).toEqual([{ queue, active: true, inFlight: 3 }]);
    if (broker === 'memory') {
      expect(harness.server.stats(queue)).toEqual({ ready: 8, unacked: 3, consumers: 1 });
    }
    release.open();
    await eventually(() => done.length === 11);
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('on stop takes no new deliveries, lets running handlers finish and ack, then closes', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('mail');
    const messaging = harness.messaging();
    const release = held();
    const started: number[] = [];
    const finished: number[] = [];
    messaging.consume(
      queue,
      async (mail: unknown) => {
        const { n } = mail as { n: number };
        started.push(n);
        await release.promise;
        finished.push(n);
      },
      { prefetch: 2 },
    );
    await messaging.start();
    for (let n = 1; n <= 3; n++) await messaging.publish(queue, '', { n });
    await eventually(() => started.length === 2);

    let stopped = false;
    const stopping = messaging.stop().then(() => {
      stopped = true;
    });
    // The stop waits for the two running handlers.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    expect(messaging.status().consumers[0]?.active).toBe(false);
    release.open();
    await stopping;

    expect(finished.sort()).toEqual([1, 2]);
    expect(started).toHaveLength(2);
    // Acked: only the message never delivered is still queued.
    const check = harness.messaging();
    await check.start();
    const left = await drainQueue(check, queue);
    expect(left.map((d) => JSON.parse(d.body.toString()))).toEqual([{ n: 3 }]);
    expect(left[0]?.redelivered).toBe(false);
  });

  it('redelivers, flagged, what a stopped consumer had not acknowledged when the drain time ran out', async () => {
    harness = new BrokerHarness(broker);
    const queue = harness.queue('reports');
    const stuck = held();
    const first = harness.messaging({ config: { drainTimeoutMs: 50 } });
    let firstStarted = false;
    first.consume(queue, async () => {
      firstStarted = true;
      await stuck.promise;
    });
    await first.start();
    const messageId = await first.publish(queue, '', { report: 'q3' });
    await eventually(() => firstStarted);
    await first.stop();

    const second = harness.messaging();
    const redelivered: { messageId: string; redelivered: boolean; attempt: number }[] = [];
    second.consume(queue, (_report, message) => {
      redelivered.push({
        messageId: message.messageId,
        redelivered: message.redelivered,
        attempt: message.attempt,
      });
    });
    await second.start();
    await eventually(() => redelivered.length === 1);
    expect(redelivered).toEqual([{ messageId, redelivered: true, attempt: 1 }]);
  });

  it('routes by topic pattern and fans out to every bound queue', async () => {
    harness = new BrokerHarness(broker);
    const topic = harness.exchange('events');
    const fanout = harness.exchange('audit');
    const created = harness.queue('created');
    const all = harness.queue('all');
    const audit = harness.queue('audit');
    const messaging = harness.messaging({
      topology: {
        exchanges: [
          { name: topic, type: 'topic' },
          { name: fanout, type: 'fanout' },
        ],
        queues: [
          { name: created, bindings: [{ exchange: topic, routingKey: '*.created' }] },
          { name: all, bindings: [{ exchange: topic, routingKey: 'order.#' }] },
          { name: audit, bindings: [{ exchange: fanout, routingKey: '' }] },
        ],
      },
    });
    await messaging.start();
    await messaging.publish(topic, 'order.created', { n: 1 });
    await messaging.publish(topic, 'order.line.added', { n: 2 });
    await messaging.publish(topic, 'user.created', { n: 3 });
    await messaging.publish(fanout, 'anything', { n: 4 });

    const bodies = async (queue: string) =>
      (await drainQueue(messaging, queue)).map((d) => JSON.parse(d.body.toString()).n);
    expect(await bodies(created)).toEqual([1, 3]);
    expect(await bodies(all)).toEqual([1, 2]);
    expect(await bodies(audit)).toEqual([4]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachRoles } from 'wharf';
import { createMessaging, Header, MemoryBrokerServer, type Messaging } from 'wharf/messaging';
import { type TestDatabase, testDatabase, testService } from 'wharf/testing';
import { createStatsApp, STATS_MIGRATIONS, STATS_QUEUE } from '../../examples/stats/service.js';
import { USER_CREATED, USERS_EXCHANGE } from '../../examples/users/events.js';
import { eventually } from './fixtures.js';

const START_TIMEOUT_MS = 120_000;

describe('the stats example', () => {
  let database: TestDatabase;
  let server: MemoryBrokerServer;
  let publisher: Messaging;
  let t: Awaited<ReturnType<typeof open>>;

  async function open(summaryCron?: string) {
    const app = createStatsApp({
      db: database.db,
      brokerServer: server,
      summaryCron,
      config: { log: { level: 'silent' }, messaging: { amqpUrl: '' } },
    });
    attachRoles(app, ['api', 'consume', 'schedule']);
    return testService(app.service);
  }

  beforeEach(async () => {
    database = await testDatabase({ migrations: STATS_MIGRATIONS, url: '' });
    server = new MemoryBrokerServer();
    publisher = createMessaging(
      { amqpUrl: '' },
      { server, topology: { exchanges: [{ name: USERS_EXCHANGE, type: 'topic' }] } },
    );
    await publisher.start();
  }, START_TIMEOUT_MS);

  afterEach(async () => {
    await t?.close();
    await publisher.stop();
    await database.close();
  });

  const created = (id: number, city_id: number | null, messageId?: string) =>
    publisher.publish(USERS_EXCHANGE, USER_CREATED, { id, city_id, role_id: null }, { messageId });

  it('counts the users created per city from user.created, once per message id', async () => {
    t = await open();
    await created(1, 3, 'm-1');
    await created(2, 3, 'm-2');
    await created(3, null, 'm-3');
    await created(2, 3, 'm-2'); // the same event again, as an at-least-once broker may deliver
    const res = await eventually(
      () => t.client.listCityCounts(),
      (r) => r.data?.reduce((sum, c) => sum + c.users, 0) === 3,
    );
    expect(res.data).toEqual([
      { city_id: 0, users: 1 },
      { city_id: 3, users: 2 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await t.client.listCityCounts()).data).toEqual(res.data);
  });

  it('parks an event that does not match the contract in the dead queue, counting nothing', async () => {
    t = await open();
    await publisher.publish(USERS_EXCHANGE, USER_CREATED, { id: 'seven' });
    const dead = await eventually(
      async () => server.messages(`${STATS_QUEUE}.dead`),
      (messages) => messages.length === 1,
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]?.headers[Header.reason]).toBe('invalid-payload');
    expect((await t.client.listCityCounts()).data).toEqual([]);
  });

  it('writes a summary of the counts on each tick of its job', async () => {
    t = await open('* * * * * *');
    expect((await t.client.getLatestSummary()).data).toBeNull();
    await created(1, 5);
    await created(2, 7);
    const res = await eventually(
      () => t.client.getLatestSummary(),
      (r) => r.data?.total_users === 2,
      5_000,
    );
    expect(res.data).toMatchObject({ total_users: 2, cities: { '5': 1, '7': 1 } });
    expect(new Date(res.data?.taken_at ?? '').getMilliseconds()).toBe(0);
  });
});

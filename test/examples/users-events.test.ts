import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachRoles } from 'wharf';
import { createMessaging, MemoryBrokerServer, type Messaging } from 'wharf/messaging';
import { mockUpstreams, type TestDatabase, testDatabase, testService } from 'wharf/testing';
import { createStatsApp, STATS_MIGRATIONS } from '../../examples/stats/service.js';
import { USER_CREATED, USERS_EXCHANGE } from '../../examples/users/events.js';
import { createUsersService, USERS_MIGRATIONS } from '../../examples/users/service.js';
import { bearer, eventually, USERS_AUTH } from './fixtures.js';

const START_TIMEOUT_MS = 120_000;
const silent = { log: { level: 'silent' as const }, messaging: { amqpUrl: '' } };

/** The users service publishing to `server`, with its upstreams mocked. */
function openUsers(server: MemoryBrokerServer, db: TestDatabase) {
  const upstreams = mockUpstreams();
  const service = createUsersService({
    config: { ...silent, ...USERS_AUTH },
    db: db.db,
    clients: upstreams.clients(),
    brokerServer: server,
  });
  return testService(service, { upstreams });
}

describe('users publishes user.created', () => {
  let server: MemoryBrokerServer;
  let usersDb: TestDatabase;
  let listener: Messaging;
  let t: Awaited<
    ReturnType<typeof testService<ReturnType<typeof createUsersService>['__routes'] & {}>>
  >;

  beforeEach(async () => {
    server = new MemoryBrokerServer();
    usersDb = await testDatabase({ migrations: USERS_MIGRATIONS, url: '' });
    // A queue bound to the event, as any consumer of the users service would declare.
    listener = createMessaging(
      { amqpUrl: '' },
      {
        server,
        topology: {
          exchanges: [{ name: USERS_EXCHANGE, type: 'topic' }],
          queues: [
            { name: 'audit.users', bindings: [{ exchange: USERS_EXCHANGE, routingKey: 'user.*' }] },
          ],
        },
      },
    );
    await listener.start();
    t = await openUsers(server, usersDb);
  }, START_TIMEOUT_MS);

  afterEach(async () => {
    await t.close();
    await listener.stop();
    await usersDb.close();
  });

  it('once per created user, with its id, city and role, after the row committed', async () => {
    const res = await t.client.createUser({
      headers: await bearer(),
      body: { name: 'Ada', city_id: 3 },
    });
    expect(res.status).toBe(201);
    const messages = await eventually(
      () => server.messages('audit.users'),
      (m) => m.length === 1,
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ exchange: USERS_EXCHANGE, routingKey: USER_CREATED });
    expect(JSON.parse(String(messages[0]?.body))).toEqual({
      id: res.data?.id,
      city_id: 3,
      role_id: null,
    });
  });

  it('not for a request refused by validation', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/users',
      headers: await bearer(),
      payload: { name: 'x'.repeat(101) },
    });
    expect(res.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.messages('audit.users')).toEqual([]);
  });

  it('not for a write refused for want of a token', async () => {
    const res = await t.client.createUser({ body: { name: 'Ada' } });
    expect(res.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.messages('audit.users')).toEqual([]);
  });

  it('for a user who registers, like one created through POST /users', async () => {
    const res = await t.client.register({
      body: { name: 'Ada', email: 'ada@example.com', password: 'correct horse' },
    });
    expect(res.status).toBe(201);
    const messages = await eventually(
      () => server.messages('audit.users'),
      (m) => m.length === 1,
    );
    expect(JSON.parse(String(messages[0]?.body))).toEqual({
      id: res.data?.id,
      city_id: null,
      role_id: null,
    });
  });
});

describe('the example system: users → stats', () => {
  it(
    'counts users per city in the stats service as users are created',
    async () => {
      const server = new MemoryBrokerServer();
      const usersDb = await testDatabase({ migrations: USERS_MIGRATIONS, url: '' });
      const statsDb = await testDatabase({ migrations: STATS_MIGRATIONS, url: '' });
      const stats = createStatsApp({ config: silent, db: statsDb.db, brokerServer: server });
      attachRoles(stats, ['api', 'consume']);
      const s = await testService(stats.service);
      const u = await openUsers(server, usersDb);
      const headers = await bearer();
      try {
        for (const city_id of [1, 2, 1, 1]) {
          const res = await u.client.createUser({ headers, body: { name: 'x', city_id } });
          expect(res.status).toBe(201);
        }
        const counts = await eventually(
          () => s.client.listCityCounts(),
          (r) => r.data?.reduce((sum, c) => sum + c.users, 0) === 4,
        );
        expect(counts.data).toEqual([
          { city_id: 1, users: 3 },
          { city_id: 2, users: 1 },
        ]);
      } finally {
        await u.close();
        await s.close();
        await usersDb.close();
        await statsDb.close();
      }
    },
    START_TIMEOUT_MS,
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testService } from 'wharf/testing';
import { createUsersService, type UsersServiceOptions } from '../../examples/users/service.js';
import {
  bearer,
  cityOf,
  inFlightCounter,
  lastId,
  roleOf,
  SILENT,
  type SlowUpstream,
  START_TIMEOUT_MS,
  slowUpstream,
  USERS_AUTH,
  upstreamsAt,
  usersDatabase,
} from './fixtures.js';

function openUsers(config: UsersServiceOptions['config'], db: TestDatabase['db']) {
  return testService(createUsersService({ config, db }));
}

const CITIES_DELAY_MS = 300;
const ROLES_DELAY_MS = 250;

/**
 * A functional check that the two calls overlap, not a benchmark: one after the other they
 * could never take less than the sum of the delays.
 */
describe('users example: GET /users/:id against real upstreams', () => {
  const counter = inFlightCounter();
  let database: TestDatabase;
  let cities: SlowUpstream;
  let roles: SlowUpstream;
  let t: Awaited<ReturnType<typeof openUsers>>;

  beforeAll(async () => {
    database = await usersDatabase();
    cities = await slowUpstream(CITIES_DELAY_MS, (path) => cityOf(lastId(path)), counter);
    roles = await slowUpstream(ROLES_DELAY_MS, (path) => roleOf(lastId(path)), counter);
    const config = { ...SILENT, ...USERS_AUTH, ...upstreamsAt(cities.url, roles.url) };
    t = await openUsers(config, database.db);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await t?.close();
    await Promise.all([cities?.close(), roles?.close()]);
    await database?.close();
  });

  it('calls cities and roles at the same time: about the slower call, less than their sum', async () => {
    const created = await t.client.createUser({
      headers: await bearer(),
      body: { name: 'Ada', city_id: 1, role_id: 2 },
    });
    const id = created.data?.id ?? 0;
    // Connections and the first query's plan are made here, outside the measured call.
    await t.client.getUser({ params: { id } });

    const started = performance.now();
    const res = await t.client.getUser({ params: { id } });
    const elapsed = performance.now() - started;

    expect(res.data).toMatchObject({ city: cityOf(1), role: roleOf(2) });
    expect(cities.received).toBe(2);
    expect(roles.received).toBe(2);
    expect(counter.peak).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(CITIES_DELAY_MS - 1);
    expect(elapsed).toBeLessThan(CITIES_DELAY_MS + ROLES_DELAY_MS);
  });
});

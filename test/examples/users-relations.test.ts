import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockUpstreams, type TestDatabase, testService } from 'wharf/testing';
import { createUsersService } from '../../examples/users/service.js';
import { bearer, cityOf, roleOf, START_TIMEOUT_MS, USERS_AUTH, usersDatabase } from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped spec JSON
type Json = Record<string, any>;

/** The users service with its cities and roles upstreams mocked, its log lines kept. */
async function openUsers(db: TestDatabase['db'], config = {}) {
  const lines: Json[] = [];
  const upstreams = mockUpstreams();
  const service = createUsersService({
    config: { log: { level: 'warn' }, ...USERS_AUTH, ...config },
    logDestination: { write: (line: string) => void lines.push(JSON.parse(line) as Json) },
    db,
    clients: upstreams.clients(config),
  });
  const t = await testService(service, { upstreams });
  return { t, lines };
}

describe('users example: GET /users/:id embeds the city and the role', () => {
  let database: TestDatabase;
  let opened: Awaited<ReturnType<typeof openUsers>>;

  beforeEach(async () => {
    database = await usersDatabase();
    opened = await openUsers(database.db);
  }, START_TIMEOUT_MS);

  afterEach(async () => {
    await opened.t.close();
    await database.close();
  });

  async function createUser(body: { city_id?: number | null; role_id?: number | null }) {
    const res = await opened.t.client.createUser({
      headers: await bearer(),
      body: { name: 'Ada', ...body },
    });
    expect(res.status).toBe(201);
    return res.data?.id ?? 0;
  }

  it('answers the user with the city and role its upstreams answer', async () => {
    const { t } = opened;
    const id = await createUser({ city_id: 2, role_id: 3 });
    t.mock('cities').get('/cities/2').replyData(cityOf(2));
    t.mock('roles').get('/roles/3').replyData(roleOf(3));

    const res = await t.client.getUser({ params: { id } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      id,
      create_time: expect.any(String),
      name: 'Ada',
      age: null,
      sex: null,
      city_id: 2,
      role_id: 3,
      city: { id: 2, name: 'Oslo', country: 'NO', population: 709_037 },
      role: { id: 3, name: 'viewer', permissions: ['cities:read', 'roles:read'] },
    });
    expect(t.mock('cities').calls).toHaveLength(1);
    expect(t.mock('roles').calls).toHaveLength(1);
  });

  it('writes only the fields it documents, whatever an upstream adds', async () => {
    const { t } = opened;
    const id = await createUser({ city_id: 1, role_id: 1 });
    t.mock('cities')
      .get('/cities/1')
      .replyData({ ...cityOf(1), mayor: 'x' });
    t.mock('roles')
      .get('/roles/1')
      .replyData({ ...roleOf(1), internal: true });
    const res = await t.client.getUser({ params: { id } });
    expect(Object.keys(res.data?.city ?? {}).sort()).toEqual([
      'country',
      'id',
      'name',
      'population',
    ]);
    expect(Object.keys(res.data?.role ?? {}).sort()).toEqual(['id', 'name', 'permissions']);
  });

  it('embeds null without calling an upstream for a null city_id or role_id', async () => {
    const { t } = opened;
    const none = await createUser({});
    const cityOnly = await createUser({ city_id: 4 });
    t.mock('cities').get('/cities/4').replyData(cityOf(4));

    const bare = await t.client.getUser({ params: { id: none } });
    expect(bare.data).toMatchObject({ city_id: null, role_id: null, city: null, role: null });
    const withCity = await t.client.getUser({ params: { id: cityOnly } });
    expect(withCity.data).toMatchObject({ city: cityOf(4), role_id: null, role: null });
    // A call to roles would match no mock and fail close() in afterEach.
    expect(t.mock('roles').calls).toHaveLength(0);
  });

  it('embeds null, and warns, for an id its upstream answers 404 for', async () => {
    const { t, lines } = opened;
    const id = await createUser({ city_id: 9, role_id: 1 });
    t.mock('cities').get('/cities/9').replyError(404, 'CITY_NOT_FOUND', 'No city with id 9');
    t.mock('roles').get('/roles/1').replyData(roleOf(1));

    const res = await t.client.getUser({ params: { id } });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ city_id: 9, city: null, role: roleOf(1) });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        upstream: 'cities',
        id: 9,
        code: 'CITY_NOT_FOUND',
      }),
    );
  });

  it('answers 502 UPSTREAM_ERROR naming the upstream when it fails otherwise', async () => {
    const { t } = opened;
    const id = await createUser({ city_id: 1, role_id: 1 });
    t.mock('cities').get('/cities/1').replyData(cityOf(1));
    t.mock('roles').get('/roles/1').replyError(500, 'INTERNAL_ERROR', 'Internal server error');

    const res = await t.client.getUser({ params: { id } });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'Upstream "roles" answered 500 INTERNAL_ERROR',
      error: { upstream: 'roles', status: 500, code: 'INTERNAL_ERROR' },
    });
  });

  it('answers 404 USER_NOT_FOUND without calling any upstream for an unknown user', async () => {
    const res = await opened.t.client.getUser({ params: { id: 42 } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(opened.t.mock('cities').calls).toHaveLength(0);
  });

  it('documents the embedded city and role, nullable, in the OpenAPI response', async () => {
    const res = await opened.t.request({ method: 'GET', url: '/openapi/spec.json' });
    const spec = res.body as unknown as Json;
    const data =
      spec.paths['/users/{id}'].get.responses['200'].content['application/json'].schema.properties
        .data;
    expect(data.required).toEqual(expect.arrayContaining(['city', 'role', 'city_id', 'role_id']));
    const branches = (schema: Json) => schema.anyOf.map((s: Json) => s.type);
    expect(branches(data.properties.city)).toEqual(['object', 'null']);
    expect(branches(data.properties.role)).toEqual(['object', 'null']);
    expect(Object.keys(data.properties.city.anyOf[0].properties)).toEqual([
      'id',
      'name',
      'country',
      'population',
    ]);
    expect(data.properties.role.description).toMatch(/null when `role_id` is null/);
  });
});

describe('users example: an unreachable upstream', () => {
  it(
    'answers 503 UPSTREAM_UNAVAILABLE naming it',
    async () => {
      const database = await usersDatabase();
      const { t } = await openUsers(database.db, { client: { retries: 0 } });
      try {
        const created = await t.client.createUser({
          headers: await bearer(),
          body: { name: 'Ada', city_id: 1 },
        });
        t.mock('cities').get('/cities/1').fail();
        const res = await t.client.getUser({ params: { id: created.data?.id ?? 0 } });
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({
          code: 'UPSTREAM_UNAVAILABLE',
          error: { upstream: 'cities', reason: 'connection' },
        });
      } finally {
        await t.close();
        await database.close();
      }
    },
    START_TIMEOUT_MS,
  );
});

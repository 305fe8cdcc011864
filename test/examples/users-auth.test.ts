import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from 'wharf/auth';
import { mockUpstreams, type TestDatabase, testService } from 'wharf/testing';
import { AUTH_RATE_LIMIT, TOKEN_TTL_SECONDS } from '../../examples/users/auth-schemas.js';
import { createUsersService } from '../../examples/users/service.js';
import {
  bearer,
  START_TIMEOUT_MS,
  TEST_JWT_SECRET,
  USERS_AUTH,
  usersDatabase,
} from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped spec JSON
type Json = Record<string, any>;

function openUsers(db: TestDatabase['db']) {
  const upstreams = mockUpstreams();
  const service = createUsersService({
    config: { log: { level: 'silent' }, ...USERS_AUTH },
    db,
    clients: upstreams.clients(),
  });
  return testService(service, { upstreams });
}

const ADA = { name: 'Ada Lovelace', email: 'Ada@Example.com', password: 'analytical engine' };

function decodeClaims(token: string): Json {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json;
}

describe('users example: register, log in, write with the token', () => {
  let database: TestDatabase;
  let t: Awaited<ReturnType<typeof openUsers>>;

  beforeEach(async () => {
    database = await usersDatabase();
    t = await openUsers(database.db);
  }, START_TIMEOUT_MS);

  afterEach(async () => {
    await t.close();
    await database.close();
  });

  async function registerAndLogIn() {
    const registered = await t.client.register({ body: ADA });
    expect(registered.status).toBe(201);
    const login = await t.client.login({
      body: { email: 'ada@example.com', password: ADA.password },
    });
    expect(login.status).toBe(200);
    return { id: registered.data?.id ?? 0, token: login.data?.token ?? '' };
  }

  it('registers a user, answering its id; the user reads back without its credentials', async () => {
    const { id } = await registerAndLogIn();
    const fetched = await t.client.getUser({ params: { id } });
    expect(fetched.status).toBe(200);
    expect(fetched.data).toMatchObject({ id, name: ADA.name, city: null, role: null });
    expect(fetched.data).not.toHaveProperty('email');
    expect(fetched.data).not.toHaveProperty('password_hash');
  });

  it('logs in with the address in any case, answering a token for users:write with sub = id', async () => {
    const { id, token } = await registerAndLogIn();
    const again = await t.client.login({
      body: { email: 'ADA@EXAMPLE.COM', password: ADA.password },
    });
    expect(again.data?.expires_in).toBe(TOKEN_TTL_SECONDS);
    const claims = decodeClaims(token);
    expect(claims).toMatchObject({ sub: String(id), scope: 'users:write' });
    expect(claims.exp - claims.iat).toBe(TOKEN_TTL_SECONDS);
  });

  it('creates a user with the token, and changes and deletes its own user', async () => {
    const { id, token } = await registerAndLogIn();
    const headers = { authorization: `Bearer ${token}` };
    const created = await t.client.createUser({ headers, body: { name: 'Grace' } });
    expect(created.status).toBe(201);
    const patched = await t.client.updateUser({ headers, params: { id }, body: { age: 36 } });
    expect(patched.status).toBe(200);
    expect(patched.data).toMatchObject({ id, name: ADA.name, age: 36 });
    const deleted = await t.client.deleteUser({ headers, params: { id } });
    expect(deleted.status).toBe(200);
  });

  it("answers 403 USER_NOT_YOURS for another user's record unless the token has users:admin", async () => {
    const { token } = await registerAndLogIn();
    const other = await t.client.createUser({ headers: await bearer(), body: { name: 'Grace' } });
    const id = other.data?.id ?? 0;
    const headers = { authorization: `Bearer ${token}` };
    const patched = await t.client.updateUser({ headers, params: { id }, body: { age: 1 } });
    expect(patched.status).toBe(403);
    expect(patched.body).toEqual({
      code: 'USER_NOT_YOURS',
      message: `Only user ${id} itself, or a token with the users:admin scope, may change it`,
      error: { id },
    });
    expect((await t.client.deleteUser({ headers, params: { id } })).status).toBe(403);
    const admin = await bearer({ sub: 'ops', scope: 'users:write users:admin' });
    expect((await t.client.deleteUser({ headers: admin, params: { id } })).status).toBe(200);
  });

  it('answers 401 TOKEN_MISSING without a token, and writes nothing', async () => {
    const res = await t.client.createUser({ body: { name: 'Grace' } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(res.headers['www-authenticate']).toBe('Bearer scope="users:write"');
    expect((await t.client.listUsers()).data?.total).toBe(0);
    const patch = await t.client.updateUser({ params: { id: 1 }, body: { age: 1 } });
    expect(patch.status).toBe(401);
    expect((await t.client.deleteUser({ params: { id: 1 } })).status).toBe(401);
  });

  it('answers 401 TOKEN_INVALID for a token signed with another secret', async () => {
    const forged = await signToken(
      { sub: '1', scope: 'users:write users:admin' },
      { secret: `${TEST_JWT_SECRET}-but-not-quite` },
    );
    const res = await t.client.createUser({
      headers: { authorization: `Bearer ${forged}` },
      body: { name: 'Grace' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('answers 401 TOKEN_EXPIRED for an expired token', async () => {
    const expired = await signToken(
      { sub: '1', scope: 'users:write' },
      { secret: TEST_JWT_SECRET, expiresIn: -3600 },
    );
    const res = await t.client.createUser({
      headers: { authorization: `Bearer ${expired}` },
      body: { name: 'Grace' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('answers 403 INSUFFICIENT_SCOPE for a valid token without users:write', async () => {
    const headers = await bearer({ sub: '1', scope: 'users:read' });
    const res = await t.client.createUser({ headers, body: { name: 'Grace' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      error: { missing: ['users:write'] },
    });
  });

  it('keeps reads public', async () => {
    expect((await t.client.listUsers()).status).toBe(200);
    expect((await t.client.getUser({ params: { id: 1 } })).status).toBe(404);
  });

  it('answers the same 401 for an unknown address as for a wrong password', async () => {
    await registerAndLogIn();
    const unknown = await t.client.login({
      body: { email: 'nobody@example.com', password: ADA.password },
    });
    const wrong = await t.client.login({
      body: { email: 'ada@example.com', password: 'difference engine' },
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual({
      code: 'INVALID_CREDENTIALS',
      message: 'Wrong e-mail address or password',
    });
    expect(wrong.body).toEqual(unknown.body);
  });

  it('cannot log in as a user created through POST /users, which has no credentials', async () => {
    await t.client.createUser({ headers: await bearer(), body: { name: 'Grace' } });
    const res = await t.client.login({ body: { email: 'grace@example.com', password: 'x' } });
    expect(res.status).toBe(401);
  });

  it('answers 409 EMAIL_TAKEN for an address registered already, in any case', async () => {
    await registerAndLogIn();
    const again = await t.client.register({ body: { ...ADA, email: 'ADA@example.COM' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'EMAIL_TAKEN' });
    expect((await t.client.listUsers()).data?.total).toBe(1);
  });

  it('refuses a short password and a malformed address with 400', async () => {
    const short = await t.client.register({ body: { ...ADA, password: 'short' } });
    expect(short.status).toBe(400);
    const address = await t.client.register({ body: { ...ADA, email: 'not an address' } });
    expect(address.status).toBe(400);
    expect((await t.client.listUsers()).data?.total).toBe(0);
  });

  it('stores only the hash of the password sent, whatever hash the body carries', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/auth/register',
      payload: { ...ADA, password_hash: 'scrypt$1024$1$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(res.status).toBe(201);
    const login = await t.client.login({ body: { email: ADA.email, password: ADA.password } });
    expect(login.status).toBe(200);
  });

  it(`answers 429 RATE_LIMITED after ${AUTH_RATE_LIMIT.max} logins a minute from one address`, async () => {
    const body = { email: 'nobody@example.com', password: 'guess' };
    for (let i = 0; i < AUTH_RATE_LIMIT.max; i++) {
      expect((await t.client.login({ body })).status).toBe(401);
    }
    const limited = await t.client.login({ body });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.headers['retry-after']).toBeDefined();
    // Per route: registering is counted apart.
    expect((await t.client.register({ body: ADA })).status).toBe(201);
  });

  it('never answers password_hash, nor email, and neither is in the OpenAPI spec', async () => {
    const { id, token } = await registerAndLogIn();
    const headers = { authorization: `Bearer ${token}` };
    const answers = [
      await t.client.getUser({ params: { id } }),
      await t.client.listUsers(),
      await t.client.updateUser({ headers, params: { id }, body: { name: 'Ada' } }),
      await t.client.login({ body: { email: ADA.email, password: ADA.password } }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/password_hash|scrypt\$|@example/i);
    }
    const spec = await t.request({ method: 'GET', url: '/openapi/spec.json' });
    expect(JSON.stringify(spec.body)).not.toContain('password_hash');
  });
});

describe('users example: the OpenAPI spec', () => {
  let database: TestDatabase;
  let spec: Json;

  beforeAll(async () => {
    database = await usersDatabase();
    const t = await openUsers(database.db);
    try {
      spec = (await t.request({ method: 'GET', url: '/openapi/spec.json' })).body as Json;
    } finally {
      await t.close();
    }
  }, START_TIMEOUT_MS);

  afterAll(() => database?.close());

  it('declares bearer security with users:write on the write routes, and none on reads', () => {
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const writes = [
      spec.paths['/users'].post,
      spec.paths['/users/{id}'].patch,
      spec.paths['/users/{id}'].delete,
    ];
    for (const operation of writes) {
      expect(operation.security).toEqual([{ bearerAuth: ['users:write'] }]);
      expect(operation.responses).toHaveProperty('401');
      expect(operation.responses).toHaveProperty('403');
    }
    const reads = [
      spec.paths['/users'].get,
      spec.paths['/users/{id}'].get,
      spec.paths['/auth/login'].post,
      spec.paths['/auth/register'].post,
    ];
    for (const operation of reads) expect(operation.security).toBeUndefined();
  });

  it('documents register and login without exposing the stored hash', () => {
    const register = spec.paths['/auth/register'].post.requestBody.content['application/json'];
    expect(Object.keys(register.schema.properties).sort()).toEqual(['email', 'name', 'password']);
    const login = spec.paths['/auth/login'].post.responses['200'].content['application/json'];
    expect(Object.keys(login.schema.properties.data.properties).sort()).toEqual([
      'expires_in',
      'token',
    ]);
  });
});

describe('users example: GET /metrics', () => {
  it(
    'counts requests by route template and shows the database pool',
    async () => {
      const database = await usersDatabase();
      const t = await openUsers(database.db);
      try {
        await t.client.createUser({ headers: await bearer(), body: { name: 'Ada' } });
        await t.client.getUser({ params: { id: 1 } });
        await t.client.getUser({ params: { id: 2 } });
        const res = await t.request({ method: 'GET', url: '/metrics' });
        expect(res.status).toBe(200);
        const text = String(res.body);
        const getUser = text
          .split('\n')
          .find(
            (line) =>
              line.startsWith('http_server_request_duration_seconds_count{') &&
              line.includes('route="/users/:id"') &&
              line.includes('method="GET"') &&
              line.includes('status_code="200"'),
          );
        expect(getUser).toMatch(/ 1$/);
        expect(text).toMatch(
          /http_server_request_duration_seconds_count\{[^}]*status_code="404"[^}]*\} 1/,
        );
        expect(text).not.toContain('route="/users/1"');
        expect(text).toMatch(/^db_pool_size\{db="db"\} \d+$/m);
        expect(text).toMatch(/^db_pool_idle\{db="db"\} \d+$/m);
        expect(text).toMatch(/^db_pool_waiting\{db="db"\} 0$/m);
      } finally {
        await t.close();
        await database.close();
      }
    },
    START_TIMEOUT_MS,
  );
});

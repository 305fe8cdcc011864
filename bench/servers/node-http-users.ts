// The node:http baseline of the users endpoints, doing what fastify-users.ts does without
// a framework: GET /users/:id reads the row with postgres.js (max BENCH_POOL_SIZE
// connections) and the user's city and role from BENCH_CITIES_URL and BENCH_ROLES_URL at
// once through keep-alive undici pools (BENCH_CLIENT_CONNECTIONS each); POST /users checks
// the token and the body by hand and inserts as users-write.ts does.
// Prints `READY <port>` once listening.
import postgres from 'postgres';
import { Pool } from 'undici';
import { type Answer, ok, readJson, serve } from './node-http-common.js';
import { insertUser, isNewUser, tokenChecker } from './users-write.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const poolSize = Number(process.env.BENCH_POOL_SIZE);
if (!databaseUrl || !Number.isInteger(poolSize)) {
  throw new Error('BENCH_DATABASE_URL and BENCH_POOL_SIZE must be set');
}

const sql = postgres(databaseUrl, { max: poolSize, prepare: true });
const connections = Number(process.env.BENCH_CLIENT_CONNECTIONS ?? 64);
const pool = (url: string | undefined) => (url ? new Pool(url, { connections }) : undefined);
const pools = {
  cities: pool(process.env.BENCH_CITIES_URL),
  roles: pool(process.env.BENCH_ROLES_URL),
};
const checkToken = tokenChecker(process.env.BENCH_JWT_SECRET ?? '');

const USER_PATH = /^\/users\/(-?\d{1,10})$/;
const INT32_MAX = 2_147_483_647;

async function related(upstream: Pool | undefined, path: string, id: number | null) {
  if (id === null) return null;
  if (!upstream) throw new Error(`no upstream for ${path}`);
  const res = await upstream.request({ method: 'GET', path: `${path}/${id}` });
  const body = (await res.body.json()) as { data?: unknown };
  if (res.statusCode === 404) return null;
  if (res.statusCode !== 200) throw new Error(`${path}/${id} answered ${res.statusCode}`);
  return body.data;
}

async function getUser(id: number): Promise<Answer> {
  if (Math.abs(id) > INT32_MAX)
    return { status: 400, body: { code: 'VALIDATION', message: 'Bad id' } };
  const [user] = await sql`
    select id, create_time, name, age, sex, city_id, role_id from users where id = ${id}`;
  if (!user) return { status: 404, body: { code: 'USER_NOT_FOUND', message: 'No such user' } };
  const [city, role] = await Promise.all([
    related(pools.cities, '/cities', user.city_id),
    related(pools.roles, '/roles', user.role_id),
  ]);
  return ok({ ...user, city, role });
}

async function createUser(req: Parameters<Parameters<typeof serve>[0]>[0]): Promise<Answer> {
  if (!(await checkToken(req.headers.authorization))) {
    return { status: 401, body: { code: 'UNAUTHORIZED', message: 'A valid token is needed' } };
  }
  const body = await readJson(req);
  if (!isNewUser(body)) return { status: 400, body: { code: 'VALIDATION', message: 'Bad body' } };
  return ok({ id: await insertUser(sql, body) }, 201);
}

await serve(
  (req) => {
    if (req.method === 'POST' && req.url === '/users') return createUser(req);
    const id = req.method === 'GET' ? USER_PATH.exec(req.url ?? '')?.[1] : undefined;
    return id === undefined ? undefined : getUser(Number(id));
  },
  () => Promise.all([sql.end({ timeout: 5 }), pools.cities?.close(), pools.roles?.close()]),
);

// The baseline: GET /users/:id on bare Fastify 5 and postgres.js, written the idiomatic way
// (params and response schemas, prepared statement, no logger), with as many connections
// as Wharf's default pool (BENCH_POOL_SIZE) and answering the same JSON as the Wharf service:
// the user's city and role come from BENCH_CITIES_URL and BENCH_ROLES_URL at once, through
// undici pools as large as Wharf's client pools, and are null when the user has none.
// POST /users checks the bearer token and inserts the user and its outbox event as the
// users example does (see users-write.ts), the body validated by the same JSON Schema.
// Prints `READY <port>` once listening.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import postgres from 'postgres';
import { Pool } from 'undici';
import { insertUser, NEW_USER_SCHEMA, type NewUser, tokenChecker } from './users-write.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const poolSize = Number(process.env.BENCH_POOL_SIZE);
if (!databaseUrl || !Number.isInteger(poolSize)) {
  throw new Error('BENCH_DATABASE_URL and BENCH_POOL_SIZE must be set');
}

const sql = postgres(databaseUrl, { max: poolSize, prepare: true });

// Wharf's default client.connections, from run.ts.
const connections = Number(process.env.BENCH_CLIENT_CONNECTIONS ?? 64);
const pools = {
  cities: process.env.BENCH_CITIES_URL
    ? new Pool(process.env.BENCH_CITIES_URL, { connections })
    : undefined,
  roles: process.env.BENCH_ROLES_URL
    ? new Pool(process.env.BENCH_ROLES_URL, { connections })
    : undefined,
};

/** `data` of the upstream's envelope for `path`, or null when there is no id to fetch. */
async function related(pool: Pool | undefined, path: string, id: number | null) {
  if (id === null) return null;
  if (!pool) throw new Error(`no upstream for ${path}`);
  const res = await pool.request({ method: 'GET', path: `${path}/${id}` });
  const body = (await res.body.json()) as { data?: unknown };
  if (res.statusCode === 404) return null;
  if (res.statusCode !== 200) throw new Error(`${path}/${id} answered ${res.statusCode}`);
  return body.data;
}

const nullable = (type: string) => ({ type: [type, 'null'] });
const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    create_time: { type: 'string', format: 'date-time' },
    name: { type: 'string' },
    age: nullable('integer'),
    sex: nullable('string'),
    city_id: nullable('integer'),
    role_id: nullable('integer'),
    city: {
      type: ['object', 'null'],
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        country: { type: 'string' },
        population: { type: 'integer' },
      },
    },
    role: {
      type: ['object', 'null'],
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        permissions: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

const app = Fastify();

app.get<{ Params: { id: number } }>(
  '/users/:id',
  {
    schema: {
      params: {
        type: 'object',
        properties: { id: { type: 'integer', minimum: -2_147_483_648, maximum: 2_147_483_647 } },
        required: ['id'],
      },
      response: {
        200: {
          type: 'object',
          properties: { code: { type: 'integer' }, message: { type: 'string' }, data: userSchema },
        },
      },
    },
  },
  async (request, reply) => {
    const [user] = await sql`select * from users where id = ${request.params.id}`;
    if (!user) return reply.code(404).send({ code: 'USER_NOT_FOUND', message: 'No such user' });
    const [city, role] = await Promise.all([
      related(pools.cities, '/cities', user.city_id),
      related(pools.roles, '/roles', user.role_id),
    ]);
    return { code: 0, message: 'ok', data: { ...user, city, role } };
  },
);

const checkToken = tokenChecker(process.env.BENCH_JWT_SECRET ?? '');

app.post<{ Body: NewUser }>(
  '/users',
  {
    schema: {
      body: NEW_USER_SCHEMA,
      response: {
        201: {
          type: 'object',
          properties: {
            code: { type: 'integer' },
            message: { type: 'string' },
            data: { type: 'object', properties: { id: { type: 'integer' } } },
          },
        },
      },
    },
  },
  async (request, reply) => {
    if (!(await checkToken(request.headers.authorization))) {
      return reply.code(401).send({ code: 'UNAUTHORIZED', message: 'A valid token is needed' });
    }
    const id = await insertUser(sql, request.body);
    return reply.code(201).send({ code: 0, message: 'ok', data: { id } });
  },
);

await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`READY ${port}\n`);

process.once('SIGTERM', () => {
  const closing = [
    app.close(),
    sql.end({ timeout: 5 }),
    pools.cities?.close(),
    pools.roles?.close(),
  ];
  Promise.all(closing).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

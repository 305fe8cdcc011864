// The baseline: GET /users/:id on bare Fastify 5 and postgres.js, written the idiomatic way
// (params and response schemas, prepared statement, no logger), with as many connections
// as Wharf's default pool (BENCH_POOL_SIZE) and answering the same JSON as the Wharf service.
// Prints `READY <port>` once listening.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import postgres from 'postgres';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const poolSize = Number(process.env.BENCH_POOL_SIZE);
if (!databaseUrl || !Number.isInteger(poolSize)) {
  throw new Error('BENCH_DATABASE_URL and BENCH_POOL_SIZE must be set');
}

const sql = postgres(databaseUrl, { max: poolSize, prepare: true });

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
    return { code: 0, message: 'ok', data: user };
  },
);

await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`READY ${port}\n`);

process.once('SIGTERM', () => {
  Promise.all([app.close(), sql.end({ timeout: 5 })]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

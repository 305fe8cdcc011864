// An upstream of the fan-out scenario: GET /roles/:id on bare Fastify 5, answering the
// roles example's JSON. Prints `READY <port>` once listening.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { SEED_ROLES } from '../../examples/roles/data.js';

const roles = new Map(SEED_ROLES.map((role, i) => [i + 1, { id: i + 1, ...role }]));

const roleSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    permissions: { type: 'array', items: { type: 'string' } },
  },
} as const;

const app = Fastify();

app.get<{ Params: { id: number } }>(
  '/roles/:id',
  {
    schema: {
      params: {
        type: 'object',
        properties: { id: { type: 'integer', minimum: 1 } },
        required: ['id'],
      },
      response: {
        200: {
          type: 'object',
          properties: { code: { type: 'integer' }, message: { type: 'string' }, data: roleSchema },
        },
      },
    },
  },
  async (request, reply) => {
    const role = roles.get(request.params.id);
    if (!role) return reply.code(404).send({ code: 'ROLE_NOT_FOUND', message: 'No such role' });
    return { code: 0, message: 'ok', data: role };
  },
);

await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`READY ${port}\n`);

process.once('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

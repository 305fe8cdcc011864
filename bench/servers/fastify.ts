// The baseline: GET /cities/:id on bare Fastify 5, written the idiomatic way (params
// and response schemas, no logger), answering the same JSON as the Wharf service.
// Prints `READY <port>` once listening.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { SEED_CITIES } from '../../examples/cities/data.js';

const cities = new Map(SEED_CITIES.map((city, i) => [i + 1, { id: i + 1, ...city }]));

const citySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    country: { type: 'string' },
    population: { type: 'integer' },
  },
} as const;

const app = Fastify();

app.get<{ Params: { id: number } }>(
  '/cities/:id',
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
          properties: { code: { type: 'integer' }, message: { type: 'string' }, data: citySchema },
        },
      },
    },
  },
  async (request, reply) => {
    const city = cities.get(request.params.id);
    if (!city) return reply.code(404).send({ code: 'CITY_NOT_FOUND', message: 'No such city' });
    return { code: 0, message: 'ok', data: city };
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

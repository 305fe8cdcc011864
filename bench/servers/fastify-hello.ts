// The baseline of GET /hello: bare Fastify 5 with a response schema and no logger,
// answering the same envelope JSON as the Wharf service. Prints `READY <port>` once listening.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const app = Fastify();

app.get(
  '/hello',
  {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            code: { type: 'integer' },
            message: { type: 'string' },
            data: { type: 'object', properties: { hello: { type: 'string' } } },
          },
        },
      },
    },
  },
  async () => ({ code: 0, message: 'ok', data: { hello: 'world' } }),
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

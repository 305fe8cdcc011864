// The node:http baseline of GET /hello: the same envelope JSON, serialised per request.
// Prints `READY <port>` once listening.
import { ok, serve } from './node-http-common.js';

await serve((req) =>
  req.method === 'GET' && req.url === '/hello' ? ok({ hello: 'world' }) : undefined,
);

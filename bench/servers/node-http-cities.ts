// The node:http baseline of GET /cities/:id: the same data in memory and the same JSON as
// the Wharf service, the id parsed and checked by hand. Prints `READY <port>` once listening.
import { SEED_CITIES } from '../../examples/cities/data.js';
import { type Answer, ok, serve } from './node-http-common.js';

const cities = new Map(SEED_CITIES.map((city, i) => [i + 1, { id: i + 1, ...city }]));
const PATH = /^\/cities\/(\d{1,9})$/;

await serve((req): Answer | undefined => {
  const id = req.method === 'GET' ? PATH.exec(req.url ?? '')?.[1] : undefined;
  if (id === undefined) return undefined;
  const city = cities.get(Number(id));
  if (!city) return { status: 404, body: { code: 'CITY_NOT_FOUND', message: 'No such city' } };
  return ok(city);
});

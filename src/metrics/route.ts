import type { Registry } from 'prom-client';
import { route } from '../service/route.js';

/**
 * `GET <path>`: the registry in the Prometheus text format. A raw route, so the text is
 * sent as it is rather than in the envelope, and hidden: it is for the scraper, not part
 * of the API a client generator should see.
 */
export function metricsRoute(registry: Registry, path: string) {
  return route({
    method: 'GET',
    url: path,
    name: 'metrics',
    summary: 'Prometheus metrics of this service',
    raw: true,
    hidden: true,
    handler: async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  });
}

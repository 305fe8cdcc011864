/**
 * The stats service's entry module, for the wharf command:
 *   npx wharf start --api --consume --schedule --entry examples/stats/main.ts
 * It only builds the app; the command's flags decide which roles run. Without
 * messaging.amqpUrl (AMQP_URL) its broker is in memory, so it sees the events of a users
 * service only in the same process (as in `npm start`); point both at RabbitMQ otherwise.
 */
import { loadConfig } from 'wharf';
import { createStatsApp, STATS_PORT } from './service.js';

export default async () =>
  createStatsApp({ config: await loadConfig({ defaults: { http: { port: STATS_PORT } } }) });

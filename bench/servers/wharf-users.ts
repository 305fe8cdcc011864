// The users example on PostgreSQL as it runs in production (runService, access log on,
// the default pool size), its database at BENCH_DATABASE_URL, log lines going to /dev/null.
// Prints `READY <port>` once listening; SIGTERM stops it.
import { pino } from 'pino';
import { runService } from 'wharf';
import { createUsersService } from '../../examples/users/service.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is not set');

const { url } = await runService(
  createUsersService({
    config: { http: { host: '127.0.0.1', port: 0 }, db: { url: databaseUrl } },
    logDestination: pino.destination({ dest: '/dev/null', sync: false }),
  }),
);
process.stdout.write(`READY ${new URL(url).port}\n`);

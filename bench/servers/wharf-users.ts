// The users example on PostgreSQL as it runs in production (runService, the default pool
// size and client settings), configured by BENCH_PROFILE (see wharf-profile.ts), its
// database at BENCH_DATABASE_URL, its cities and roles upstreams at BENCH_CITIES_URL and
// BENCH_ROLES_URL (only called for users that have a city or role), log lines going to
// /dev/null. Its write routes verify tokens signed with BENCH_JWT_SECRET (random when
// unset: the service needs a secret to start). Prints `READY <port>` once listening;
// SIGTERM stops it.
import { randomBytes } from 'node:crypto';
import { logDestination, runService } from 'wharf';
import { createUsersService } from '../../examples/users/service.js';
import { benchProfile, profileConfig } from './wharf-profile.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is not set');

const upstreams: Record<string, { url: string }> = {};
if (process.env.BENCH_CITIES_URL) upstreams.cities = { url: process.env.BENCH_CITIES_URL };
if (process.env.BENCH_ROLES_URL) upstreams.roles = { url: process.env.BENCH_ROLES_URL };
const secret = process.env.BENCH_JWT_SECRET || randomBytes(32).toString('base64url');

const { url } = await runService(
  createUsersService({
    config: {
      ...profileConfig(benchProfile()),
      http: { host: '127.0.0.1', port: 0 },
      db: { url: databaseUrl },
      client: { upstreams },
      auth: { jwt: { secret } },
    },
    logDestination: logDestination('/dev/null', { batchBytes: 4096 }),
  }),
);
process.stdout.write(`READY ${new URL(url).port}\n`);

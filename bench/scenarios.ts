import { SEED_CITIES } from '../examples/cities/data.js';
import { SEED_ROLES } from '../examples/roles/data.js';
import { seedUser } from './bench-database.js';

/** A server process: a file in bench/servers/. */
export interface ServerSpec {
  /** Its name in tables: `wharf`, `fastify`, `traced` … */
  readonly name: string;
  readonly file: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A server the compared servers call, shared by both; its URL reaches them in `urlEnv`. */
export interface UpstreamSpec extends ServerSpec {
  readonly urlEnv: string;
}

/** One endpoint, measured on two servers answering the same JSON. */
export interface Scenario {
  /** Short name in tables: `cities`, `users`. */
  readonly name: string;
  /** What runs where, for the report. */
  readonly description: string;
  /** The request every run sends. */
  readonly path: string;
  /** What both servers must answer to it, byte for byte. */
  readonly expectedBody: string;
  /** Whether it reads a database (and so gets a sustained run). */
  readonly database: boolean;
  /** The server under test first, the baseline second; the ratios divide first by second. */
  readonly servers: readonly [ServerSpec, ServerSpec];
  /** How the ratios are labelled, e.g. `Wharf/Fastify`. */
  readonly ratioLabel: string;
  /** Started before the compared servers, unpinned, and stopped after them. */
  readonly upstreams?: readonly UpstreamSpec[];
}

function envelope(data: unknown): string {
  return JSON.stringify({ code: 0, message: 'ok', data });
}

/** GET /cities/1: the cities example, its data in memory. */
export const CITIES: Scenario = {
  name: 'cities',
  description:
    'the example cities service (data in memory) against the same route and JSON on bare Fastify',
  path: '/cities/1',
  expectedBody: envelope({ id: 1, ...SEED_CITIES[0] }),
  database: false,
  servers: [
    { name: 'wharf', file: 'wharf' },
    { name: 'fastify', file: 'fastify' },
  ],
  ratioLabel: 'Wharf/Fastify',
};

/**
 * GET /cities/1 on the cities example with tracing on for every request (always_on
 * sampler, batched JSON-lines exporter writing to /dev/null) against the same service with
 * tracing off: the cost of a recorded, exported server span.
 */
export const CITIES_TRACED: Scenario = {
  name: 'tracing',
  description:
    'the example cities service tracing every request (always_on sampler, batched JSON-lines exporter to /dev/null) against the same service with tracing off',
  path: '/cities/1',
  expectedBody: CITIES.expectedBody,
  database: false,
  servers: [
    { name: 'traced', file: 'wharf', env: { BENCH_TRACING: 'on' } },
    { name: 'untraced', file: 'wharf' },
  ],
  ratioLabel: 'traced/untraced',
};

/** A seeded user whose city_id and role_id are null: reading it calls no other service. */
const LONE_USER_ID = 10;
/** A seeded user with a city and a role. */
const USER_ID = 1;

/**
 * GET /users/10: one row by primary key from PostgreSQL, through the users example (its
 * pool, admission control, validation from the model) against bare Fastify on postgres.js
 * with the same pool size. The user has no city or role, so no other service is called.
 */
export function usersScenario(databaseUrl: string, poolSize: number): Scenario {
  const env = { BENCH_DATABASE_URL: databaseUrl, BENCH_POOL_SIZE: String(poolSize) };
  return {
    name: 'users',
    description: `the example users service reading one row by primary key from PostgreSQL (pool of ${poolSize}) against the same query and JSON on bare Fastify with postgres.js (max ${poolSize} connections); the user has no city or role, so no other service is called`,
    path: `/users/${LONE_USER_ID}`,
    expectedBody: envelope({ ...seedUser(LONE_USER_ID), city: null, role: null }),
    database: true,
    servers: [
      { name: 'wharf', file: 'wharf-users', env },
      { name: 'fastify', file: 'fastify-users', env },
    ],
    ratioLabel: 'Wharf/Fastify',
  };
}

/**
 * GET /users/1: the row from PostgreSQL, then its city and role from two other services
 * at once, through the users example's typed clients against bare Fastify calling the
 * same two services with undici pools of the same size. The two upstreams are bare
 * Fastify servers shared by both, so their cost is the same on either side.
 */
export function usersFanOutScenario(
  databaseUrl: string,
  poolSize: number,
  clientConnections: number,
): Scenario {
  const env = {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_POOL_SIZE: String(poolSize),
    BENCH_CLIENT_CONNECTIONS: String(clientConnections),
  };
  const user = seedUser(USER_ID);
  const city = { id: user.city_id, ...SEED_CITIES[(user.city_id ?? 0) - 1] };
  const role = { id: user.role_id, ...SEED_ROLES[(user.role_id ?? 0) - 1] };
  return {
    name: 'users-fanout',
    description: `the example users service reading one row from PostgreSQL (pool of ${poolSize}), then its city and role from two upstream services in parallel through wharf/client, against bare Fastify doing the same with postgres.js and two undici pools (${clientConnections} connections each, as Wharf's clients); both call the same two bare Fastify upstreams (unpinned)`,
    path: `/users/${USER_ID}`,
    expectedBody: envelope({ ...user, city, role }),
    database: true,
    servers: [
      { name: 'wharf', file: 'wharf-users', env },
      { name: 'fastify', file: 'fastify-users', env },
    ],
    ratioLabel: 'Wharf/Fastify',
    upstreams: [
      { name: 'cities', file: 'fastify', urlEnv: 'BENCH_CITIES_URL' },
      { name: 'roles', file: 'fastify-roles', urlEnv: 'BENCH_ROLES_URL' },
    ],
  };
}

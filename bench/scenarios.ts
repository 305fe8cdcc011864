import { SEED_CITIES } from '../examples/cities/data.js';
import { seedUser } from './bench-database.js';

/** One of the two servers a scenario compares: a file in bench/servers/. */
export interface ServerSpec {
  readonly name: 'wharf' | 'fastify';
  readonly file: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** One endpoint, measured on Wharf and on bare Fastify answering the same JSON. */
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
  /** Wharf's server first. */
  readonly servers: readonly [ServerSpec, ServerSpec];
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
};

const USER_ID = 1;

/**
 * GET /users/1: one row by primary key from PostgreSQL, through the users example (its
 * pool, admission control, validation from the model) against bare Fastify on postgres.js
 * with the same pool size.
 */
export function usersScenario(databaseUrl: string, poolSize: number): Scenario {
  const env = { BENCH_DATABASE_URL: databaseUrl, BENCH_POOL_SIZE: String(poolSize) };
  return {
    name: 'users',
    description: `the example users service reading one row by primary key from PostgreSQL (pool of ${poolSize}) against the same query and JSON on bare Fastify with postgres.js (max ${poolSize} connections)`,
    path: `/users/${USER_ID}`,
    expectedBody: envelope(seedUser(USER_ID)),
    database: true,
    servers: [
      { name: 'wharf', file: 'wharf-users', env },
      { name: 'fastify', file: 'fastify-users', env },
    ],
  };
}

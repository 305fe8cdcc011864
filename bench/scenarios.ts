import { SEED_CITIES } from '../examples/cities/data.js';
import { SEED_ROLES } from '../examples/roles/data.js';
import { seedUser } from './bench-database.js';

/** A server process: a file in bench/servers/. */
export interface ServerSpec {
  /** Its name in tables: `lean`, `full`, `fastify`, `node` … */
  readonly name: string;
  readonly file: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Whether it gets the sustained run of a database scenario. */
  readonly sustained?: boolean;
}

/** A server the compared servers call, shared by all; its URL reaches them in `urlEnv`. */
export interface UpstreamSpec extends ServerSpec {
  readonly urlEnv: string;
}

/** What a comparison should reach; a missing bound is not checked. */
export interface Targets {
  /** Lowest acceptable req/s of the tested server over the baseline's. */
  readonly minThroughput?: number;
  /** Highest acceptable p99 of the tested server over the baseline's. */
  readonly maxP99?: number;
}

/** Two servers of a scenario, compared by name: the ratios divide `tested` by `baseline`. */
export interface Comparison {
  readonly tested: string;
  readonly baseline: string;
  /** e.g. `lean/Fastify`. */
  readonly label: string;
  readonly targets?: Targets;
}

/** The request every run of a scenario sends. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One endpoint, measured on several servers answering the same JSON. */
export interface Scenario {
  /** Short name in tables: `cities`, `users`. */
  readonly name: string;
  /** What runs where, for the report. */
  readonly description: string;
  readonly request: RequestSpec;
  readonly expectedStatus: number;
  /** What every server must answer, byte for byte (or matching, when it varies per request). */
  readonly expectedBody: string | RegExp;
  /** Whether it reads a database (and so gets a sustained run). */
  readonly database: boolean;
  readonly servers: readonly ServerSpec[];
  readonly comparisons: readonly Comparison[];
  /** Started before the compared servers, unpinned, and stopped after them. */
  readonly upstreams?: readonly UpstreamSpec[];
}

function envelope(data: unknown): string {
  return JSON.stringify({ code: 0, message: 'ok', data });
}

function get(path: string): RequestSpec {
  return { method: 'GET', path };
}

/** What the specification asks of Wharf against bare Fastify on one endpoint. */
export interface EndpointTargets {
  /** Lowest req/s ratio of the full profile, when the specification sets one. */
  readonly fullThroughput?: number;
}

/** Lean must keep 95 % of Fastify's rate everywhere; full keeps p99 within 1.2×. */
const LEAN_TARGETS: Targets = { minThroughput: 0.95 };
const FULL_P99 = 1.2;

/**
 * The four servers of an endpoint: Wharf lean and full from `wharfFile`, bare Fastify
 * and bare node:http, and the comparisons of both Wharf profiles with both baselines
 * (targets against Fastify, as the specification states them).
 */
function fourWay(
  files: { wharf: string; fastify: string; node: string },
  env: Readonly<Record<string, string>>,
  targets: EndpointTargets,
): Pick<Scenario, 'servers' | 'comparisons'> {
  const fullTargets: Targets = { maxP99: FULL_P99, minThroughput: targets.fullThroughput };
  return {
    servers: [
      { name: 'lean', file: files.wharf, env: { ...env, BENCH_PROFILE: 'lean' } },
      { name: 'full', file: files.wharf, env: { ...env, BENCH_PROFILE: 'full' }, sustained: true },
      { name: 'fastify', file: files.fastify, env, sustained: true },
      { name: 'node', file: files.node, env },
    ],
    comparisons: [
      { tested: 'lean', baseline: 'fastify', label: 'lean/Fastify', targets: LEAN_TARGETS },
      { tested: 'full', baseline: 'fastify', label: 'full/Fastify', targets: fullTargets },
      { tested: 'lean', baseline: 'node', label: 'lean/node:http' },
      { tested: 'full', baseline: 'node', label: 'full/node:http' },
    ],
  };
}

const PROFILES =
  'Wharf "lean" (envelope and validation; access log, tracing, metrics, security headers and load shedding off) and "full" (production defaults: access log to /dev/null, metrics, security headers and load shedding on, plus every request traced and exported as JSON lines to /dev/null)';

/** GET /hello: a static JSON answer, the framework's cost and nothing else. */
export const HELLO: Scenario = {
  name: 'hello',
  description: `a route answering {hello: 'world'} in the envelope: ${PROFILES}, against the same JSON on bare Fastify and bare node:http`,
  request: get('/hello'),
  expectedStatus: 200,
  expectedBody: envelope({ hello: 'world' }),
  database: false,
  ...fourWay(
    { wharf: 'wharf-hello', fastify: 'fastify-hello', node: 'node-http-hello' },
    {},
    { fullThroughput: 0.85 },
  ),
};

/** GET /cities/1: the cities example, data in memory. */
export const CITIES: Scenario = {
  name: 'cities',
  description: `the example cities service (data in memory), ${PROFILES}, against the same route and JSON on bare Fastify and bare node:http`,
  request: get('/cities/1'),
  expectedStatus: 200,
  expectedBody: envelope({ id: 1, ...SEED_CITIES[0] }),
  database: false,
  ...fourWay({ wharf: 'wharf', fastify: 'fastify', node: 'node-http-cities' }, {}, {}),
};

/**
 * GET /cities/1 on the cities example with tracing on for every request (always_on
 * sampler, batched JSON-lines exporter writing to /dev/null) against the same service with
 * tracing off: the cost of a recorded, exported server span.
 */
export const CITIES_TRACED: Scenario = {
  name: 'tracing',
  description:
    'the example cities service tracing every request (always_on sampler, batched JSON-lines exporter to /dev/null) against the same service with tracing off (both with the access log and metrics on)',
  request: CITIES.request,
  expectedStatus: 200,
  expectedBody: CITIES.expectedBody,
  database: false,
  servers: [
    { name: 'traced', file: 'wharf', env: { BENCH_PROFILE: 'full' } },
    { name: 'untraced', file: 'wharf', env: { BENCH_PROFILE: 'default' } },
  ],
  comparisons: [{ tested: 'traced', baseline: 'untraced', label: 'traced/untraced' }],
};

/** A seeded user whose city_id and role_id are null: reading it calls no other service. */
const LONE_USER_ID = 10;
/** A seeded user with a city and a role. */
const USER_ID = 1;

/** The settings every users server gets. */
export interface UsersSettings {
  databaseUrl: string;
  poolSize: number;
  clientConnections: number;
  /** The secret the Wharf service verifies tokens with; the bare servers too. */
  jwtSecret: string;
}

function usersEnv(settings: UsersSettings): Record<string, string> {
  return {
    BENCH_DATABASE_URL: settings.databaseUrl,
    BENCH_POOL_SIZE: String(settings.poolSize),
    BENCH_CLIENT_CONNECTIONS: String(settings.clientConnections),
    BENCH_JWT_SECRET: settings.jwtSecret,
  };
}

const USERS_FILES = { wharf: 'wharf-users', fastify: 'fastify-users', node: 'node-http-users' };

/**
 * GET /users/10: one row by primary key from PostgreSQL, through the users example (its
 * pool, admission control, validation from the model) against bare Fastify and bare
 * node:http on postgres.js with the same pool size. The user has no city or role, so no
 * other service is called.
 */
export function usersScenario(settings: UsersSettings): Scenario {
  const { poolSize } = settings;
  return {
    name: 'users',
    description: `the example users service reading one row by primary key from PostgreSQL (pool of ${poolSize}), ${PROFILES}, against the same query and JSON on bare Fastify and bare node:http with postgres.js (max ${poolSize} connections); the user has no city or role, so no other service is called`,
    request: get(`/users/${LONE_USER_ID}`),
    expectedStatus: 200,
    expectedBody: envelope({ ...seedUser(LONE_USER_ID), city: null, role: null }),
    database: true,
    ...fourWay(USERS_FILES, usersEnv(settings), { fullThroughput: 0.9 }),
  };
}

/**
 * GET /users/1: the row from PostgreSQL, then its city and role from two other services
 * at once, through the users example's typed clients against the bare servers calling the
 * same two services with keep-alive undici pools of the same size. The two upstreams are
 * bare Fastify servers shared by all, so their cost is the same on every side.
 */
export function usersFanOutScenario(settings: UsersSettings): Scenario {
  const { poolSize, clientConnections } = settings;
  const user = seedUser(USER_ID);
  const city = { id: user.city_id, ...SEED_CITIES[(user.city_id ?? 0) - 1] };
  const role = { id: user.role_id, ...SEED_ROLES[(user.role_id ?? 0) - 1] };
  return {
    name: 'users-fanout',
    description: `the example users service reading one row from PostgreSQL (pool of ${poolSize}), then its city and role from two upstream services in parallel through wharf/client, ${PROFILES}, against bare Fastify and bare node:http doing the same with postgres.js and two undici pools (${clientConnections} connections each, as Wharf's clients); all call the same two bare Fastify upstreams (unpinned)`,
    request: get(`/users/${USER_ID}`),
    expectedStatus: 200,
    expectedBody: envelope({ ...user, city, role }),
    database: true,
    ...fourWay(USERS_FILES, usersEnv(settings), {}),
    upstreams: [
      { name: 'cities', file: 'fastify', urlEnv: 'BENCH_CITIES_URL' },
      { name: 'roles', file: 'fastify-roles', urlEnv: 'BENCH_ROLES_URL' },
    ],
  };
}

/** The body every POST /users sends: valid against the users example's NewUser. */
export const NEW_USER = { name: 'Bench User', age: 30, sex: 'other', city_id: 1, role_id: 2 };

/**
 * POST /users: a validated insert of one user and its outbox event in one transaction,
 * with a bearer token granting `users:write` (`token`, signed with the service's secret),
 * against bare Fastify (the same JSON Schema) and bare node:http (checked by hand), both
 * verifying the token with jose and inserting the same two rows with postgres.js.
 */
export function usersCreateScenario(settings: UsersSettings, token: string): Scenario {
  const { poolSize } = settings;
  return {
    name: 'users-create',
    description: `the example users service inserting a user and its user.created outbox event in one transaction (pool of ${poolSize}; its outbox relay publishes to the in-memory broker), a bearer token checked for users:write, ${PROFILES}, against bare Fastify (same JSON Schema) and bare node:http (checked by hand) verifying the token with jose and inserting the same rows with postgres.js (max ${poolSize} connections)`,
    request: {
      method: 'POST',
      path: '/users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(NEW_USER),
    },
    expectedStatus: 201,
    expectedBody: /^\{"code":0,"message":"ok","data":\{"id":\d+\}\}$/,
    database: true,
    ...fourWay(USERS_FILES, usersEnv(settings), {}),
  };
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CoreConfig, DeepPartial, Service } from 'wharf';
import { signToken } from 'wharf/auth';
import { type TestDatabase, testDatabase } from 'wharf/testing';
import { InMemorySpanExporter, type ReadableSpan } from 'wharf/tracing';
import { SEED_CITIES } from '../../examples/cities/data.js';
import { createCitiesService } from '../../examples/cities/service.js';
import { SEED_ROLES } from '../../examples/roles/data.js';
import { createRolesService } from '../../examples/roles/service.js';
import { createUsersService, USERS_MIGRATIONS } from '../../examples/users/service.js';

/** PGlite's first start in a process runs initdb, seconds of CPU on a busy machine. */
export const START_TIMEOUT_MS = 120_000;

/** What the example cities and roles services answer for their seeded ids (from 1). */
export const cityOf = (id: number) => ({ id, ...SEED_CITIES[id - 1] });
export const roleOf = (id: number) => ({ id, ...SEED_ROLES[id - 1] });

export const SILENT = { log: { level: 'silent' } } as const;

/** The users service's `auth.jwt.secret` in tests: it signs and checks the write tokens. */
export const TEST_JWT_SECRET = 'users-example-test-secret-0123456789abcdef';
/** Configuration the users service needs to start: its routes verify tokens with it. */
export const USERS_AUTH = { auth: { jwt: { secret: TEST_JWT_SECRET } } } as const;

/**
 * `Authorization` headers with a token signed by the test secret; by default an
 * administrator's, which may write any user (`users:write users:admin`).
 */
export async function bearer(
  claims: { sub?: string; scope?: string } = { sub: 'admin', scope: 'users:write users:admin' },
): Promise<{ authorization: string }> {
  const token = await signToken(claims, { secret: TEST_JWT_SECRET });
  return { authorization: `Bearer ${token}` };
}

/** A fresh migrated users database: the real PostgreSQL when DATABASE_URL is set, else PGlite. */
export function usersDatabase(): Promise<TestDatabase> {
  return testDatabase({ migrations: USERS_MIGRATIONS, url: process.env.DATABASE_URL ?? '' });
}

/** The `client.upstreams` section pointing cities and roles at the given base URLs. */
export function upstreamsAt(cities: string, roles: string): DeepPartial<CoreConfig> {
  return { client: { upstreams: { cities: { url: cities }, roles: { url: roles } } } };
}

/** A plain HTTP upstream that answers every GET with a Wharf envelope after a delay. */
export interface SlowUpstream {
  readonly url: string;
  /** Requests received so far. */
  readonly received: number;
  close(): Promise<void>;
}

/**
 * Counts requests in flight across every upstream made with the same counter, which is
 * how a test sees that calls overlapped without measuring time.
 */
export function inFlightCounter() {
  let current = 0;
  let peak = 0;
  return {
    enter() {
      current += 1;
      peak = Math.max(peak, current);
    },
    leave() {
      current -= 1;
    },
    get peak() {
      return peak;
    },
  };
}

export async function slowUpstream(
  delayMs: number,
  data: (path: string) => unknown,
  counter = inFlightCounter(),
): Promise<SlowUpstream> {
  let received = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    received += 1;
    counter.enter();
    setTimeout(() => {
      counter.leave();
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ code: 0, message: 'ok', data: data(req.url ?? '/') }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The id at the end of a path such as `/cities/3`. */
export function lastId(path: string): number {
  return Number(path.split('/').pop());
}

interface TracedService {
  service: Service;
  exporter: InMemorySpanExporter;
  url: string;
}

/**
 * The example system on real sockets (port 0): cities and roles, then users calling them,
 * each service exporting its spans to memory. `spans()` reads every service's spans.
 */
export async function tracedSystem(db: TestDatabase['db']) {
  const listen = { ...SILENT, http: { host: '127.0.0.1', port: 0 } } as const;
  const started: TracedService[] = [];
  const start = async (make: (exporter: InMemorySpanExporter) => Service) => {
    const exporter = new InMemorySpanExporter();
    const service = make(exporter);
    const url = await service.listen();
    const entry = { service, exporter, url };
    started.push(entry);
    return entry;
  };
  try {
    const cities = await start((exporter) =>
      createCitiesService({ config: listen, tracing: { exporter } }),
    );
    const roles = await start((exporter) =>
      createRolesService({ config: listen, tracing: { exporter } }),
    );
    const users = await start((exporter) =>
      createUsersService({
        config: { ...listen, ...USERS_AUTH, ...upstreamsAt(cities.url, roles.url) },
        db,
        tracing: { exporter },
      }),
    );
    return {
      cities,
      roles,
      users,
      /** Every span ended so far, by service name. */
      async spans(): Promise<Record<'cities' | 'roles' | 'users', ReadableSpan[]>> {
        // A request span ends in onResponse, after its reply reached the caller.
        await new Promise((resolve) => setTimeout(resolve, 20));
        await Promise.all(started.map((s) => s.service.tracing?.forceFlush()));
        return {
          cities: cities.exporter.getFinishedSpans(),
          roles: roles.exporter.getFinishedSpans(),
          users: users.exporter.getFinishedSpans(),
        };
      },
      stop: () => stopAll(started),
    };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

async function stopAll(started: readonly TracedService[]): Promise<void> {
  // Users first: it holds connections to the other two.
  for (const { service } of [...started].reverse()) await service.stop();
}

/** Poll `read` until `done` holds for its value, at most `timeoutMs`; resolves to the last value. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The example system: every example service in one process, each on its own port.
 *
 *   npm start      cities on 8081, roles on 8082, stats on 8084, users on 8083
 *   npm start -- --cities-port 9001 --roles-port 9002 --stats-port 9004 --users-port 9003
 *
 * Settings other than the port come from `loadConfig` (WHARF_CONFIG, .env, WHARF_<PATH>)
 * and apply to every service; the port is per service, so it is set here by flag only.
 * The users service keeps its data in embedded PGlite, in memory unless `db.dataDir`
 * (WHARF_DB_DATA_DIR) names a directory, or in PostgreSQL when `db.url` (DATABASE_URL) is
 * set; it is migrated on start.
 *
 * Cities and roles start first; users then calls them at the ports they actually got
 * (GET /users/:id embeds the user's city and role), whatever the configuration says.
 *
 * Users publishes `user.created` for each new user; stats runs in all three roles (API,
 * consumer of those events, and the scheduler of its summary job every minute). Without
 * messaging.amqpUrl (AMQP_URL) the broker is in memory, shared by the two services here;
 * stats starts before users, so its queue exists before the first event.
 *
 * Writes to users need a bearer token from its POST /auth/login. Without `auth.jwt.secret`
 * (JWT_SECRET) users gets a random secret for this process, with a warning: enough to try
 * the system, never for a deployment.
 *
 * Tracing is on: unless the configuration names another exporter (OTEL_TRACES_EXPORTER or
 * WHARF_TRACING_EXPORTER: none, console, zipkin, otlp), every span is written as a JSON
 * line (`"msg":"span"`) to stdout next to the log lines, or appended to the file
 * WHARF_TRACING_FILE names. One request to users shows as one trace across the three.
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import {
  attachRoles,
  type CoreConfig,
  loadConfig,
  type RunningService,
  runService,
  type Service,
} from 'wharf';
import { MemoryBrokerServer } from 'wharf/messaging';
import { CITIES_PORT, createCitiesService } from './cities/service.js';
import { createRolesService, ROLES_PORT } from './roles/service.js';
import { createStatsApp, STATS_PORT } from './stats/service.js';
import { DEV_SECRET_WARNING, withDevJwtSecret } from './users/dev-secret.js';
import { createUsersService, USERS_PORT } from './users/service.js';

interface SystemEntry {
  /** Flag that overrides the port, without the dashes. */
  flag: string;
  defaultPort: number;
  /** Path of the service's main collection, printed as its API base. */
  path: string;
  /**
   * Built with the shared configuration, the base URLs of the services started before it,
   * and the in-memory broker the services of this process share.
   */
  create: (
    config: CoreConfig,
    started: ReadonlyMap<string, string>,
    broker: MemoryBrokerServer,
  ) => Service;
}

const SYSTEM: readonly SystemEntry[] = [
  {
    flag: 'cities-port',
    defaultPort: CITIES_PORT,
    path: '/cities',
    create: (config) => createCitiesService({ config }),
  },
  {
    flag: 'roles-port',
    defaultPort: ROLES_PORT,
    path: '/roles',
    create: (config) => createRolesService({ config }),
  },
  {
    flag: 'stats-port',
    defaultPort: STATS_PORT,
    path: '/stats/cities',
    create: (config, _started, broker) => {
      const app = createStatsApp({ config, brokerServer: broker });
      attachRoles(app, ['consume', 'schedule']);
      return app.service;
    },
  },
  {
    flag: 'users-port',
    defaultPort: USERS_PORT,
    path: '/users',
    create: (config, started, broker) => {
      const auth = withDevJwtSecret(withUpstreams(config, started, ['cities', 'roles']));
      const service = createUsersService({ config: auth.config, brokerServer: broker });
      if (auth.generated) service.log.warn(DEV_SECRET_WARNING);
      return service;
    },
  },
];

async function main(): Promise<void> {
  const ports = readPorts(process.argv.slice(2));
  const config = await loadConfig({ defaults: { tracing: { exporter: 'console' } } });
  const running: RunningService[] = [];
  const started = new Map<string, string>();
  const broker = new MemoryBrokerServer();
  try {
    // One at a time, so each service finds the URLs of those before it in `started`.
    for (const [i, entry] of SYSTEM.entries()) {
      const http = { ...config.http, port: ports[i] ?? 0 };
      // Each service handles SIGTERM/SIGINT itself; the process exits once all have stopped.
      const run = await runService(() => entry.create({ ...config, http }, started, broker), {
        exit: () => {},
      });
      running.push(run);
      started.set(run.service.name, baseUrl(run.service, '127.0.0.1'));
    }
  } catch {
    // runService already reported why the start failed.
    await Promise.all(running.map((r) => r.shutdown()));
    process.exit(1);
  }
  printBanner(running.map((r, i) => ({ path: SYSTEM[i]?.path ?? '/', service: r.service })));
  const codes = await Promise.all(running.map((r) => r.exited));
  process.exit(Math.max(...codes));
}

/** `config` with `client.upstreams.<name>.url` set to where `name` is running here. */
function withUpstreams(
  config: CoreConfig,
  started: ReadonlyMap<string, string>,
  names: readonly string[],
): CoreConfig {
  const upstreams = { ...config.client.upstreams };
  for (const name of names) {
    const url = started.get(name);
    if (url) upstreams[name] = { ...upstreams[name], url };
  }
  return { ...config, client: { ...config.client, upstreams } };
}

function readPorts(argv: string[]): number[] {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(SYSTEM.map((e) => [e.flag, { type: 'string' as const }])),
  });
  return SYSTEM.map((entry) => {
    const raw = values[entry.flag];
    if (raw === undefined) return entry.defaultPort;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`--${entry.flag} must be a port number (0-65535), got "${raw}"`);
    }
    return port;
  });
}

function printBanner(services: { path: string; service: Service }[]): void {
  const lines = ['', 'Wharf example system is running:'];
  for (const { path, service } of services) {
    const base = baseUrl(service);
    lines.push(
      '',
      `  ${service.name}`,
      `    API      ${base}${path}`,
      `    docs     ${base}/docs`,
      `    OpenAPI  ${base}/openapi/spec.json`,
      `    health   ${base}/health/ready`,
      `    metrics  ${base}/metrics`,
    );
  }
  lines.push('', 'Stop with Ctrl+C (SIGINT) or SIGTERM.', '');
  console.log(lines.join('\n'));
}

/**
 * A URL a browser (or another service) on this machine can open, whatever interface the
 * service listens on; `local` names the host when it listens on every interface.
 */
function baseUrl(service: Service, local = 'localhost'): string {
  const { address, port, family } = service.app.server.address() as AddressInfo;
  const wildcard = address === '0.0.0.0' || address === '::';
  const host = wildcard ? local : family === 'IPv6' ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

import { type Static, Type } from 'typebox';

/**
 * Wharf's own settings: the one home of every option, its default and its description.
 * `docs/configuration.md` is generated from this schema (`npm run docs:config`).
 *
 * Each leaf can be overridden by the environment variable `WHARF_<PATH>` (path segments
 * upper-cased and joined by `_`, e.g. `WHARF_HTTP_PORT`); `env` names a conventional alias.
 */
export const CoreConfigSchema = Type.Object({
  env: Type.String({
    default: 'development',
    description: 'Deployment environment name, reported in logs and traces.',
    env: 'NODE_ENV',
  }),
  http: Type.Object(
    {
      // No HOST alias: many environments set HOST to the machine's name, not an interface.
      host: Type.String({ default: '0.0.0.0', description: 'Interface to listen on.' }),
      port: Type.Integer({
        default: 8080,
        minimum: 0,
        maximum: 65535,
        description: 'TCP port to listen on (0 picks a free port).',
        env: 'PORT',
      }),
      bodyLimit: Type.Integer({
        default: 1_048_576,
        minimum: 1,
        description: 'Largest accepted request body in bytes; larger bodies get 413.',
      }),
      requestTimeoutMs: Type.Integer({
        default: 30_000,
        minimum: 1,
        description: 'Longest time to receive a whole request before answering 408.',
      }),
      keepAliveTimeoutMs: Type.Integer({
        default: 72_000,
        minimum: 1,
        description:
          'Idle keep-alive socket lifetime; above typical load-balancer idle timeouts (60 s).',
      }),
      maxHeaderBytes: Type.Integer({
        default: 16_384,
        minimum: 1024,
        description: 'Largest accepted request header block; larger ones get 431.',
      }),
    },
    { default: {} },
  ),
  log: Type.Object(
    {
      level: Type.Union(
        [
          Type.Literal('fatal'),
          Type.Literal('error'),
          Type.Literal('warn'),
          Type.Literal('info'),
          Type.Literal('debug'),
          Type.Literal('trace'),
          Type.Literal('silent'),
        ],
        { default: 'info', description: 'Lowest level written.', env: 'LOG_LEVEL' },
      ),
      accessLog: Type.Boolean({
        default: true,
        description: 'Write one line per request (method, route, status, duration, ids).',
      }),
    },
    { default: {} },
  ),
  cors: Type.Object(
    {
      origins: Type.Array(Type.String(), {
        default: [],
        description:
          'Allowed cross-origin origins (comma-separated in the environment); empty disables CORS, "*" allows any.',
      }),
      credentials: Type.Boolean({
        default: false,
        description: 'Send Access-Control-Allow-Credentials.',
      }),
    },
    { default: {} },
  ),
  shutdown: Type.Object(
    {
      graceMs: Type.Integer({
        default: 10_000,
        minimum: 0,
        description:
          'Time allowed for in-flight requests and stop hooks after SIGTERM/SIGINT before a forced exit (code 1).',
      }),
      delayMs: Type.Integer({
        default: 0,
        minimum: 0,
        description:
          'Time to keep serving with readiness false before closing, so load balancers notice.',
      }),
    },
    { default: {} },
  ),
  health: Type.Object(
    {
      checkTimeoutMs: Type.Integer({
        default: 2_000,
        minimum: 1,
        description: 'Longest time one readiness check may take before it counts as failed.',
      }),
    },
    { default: {} },
  ),
  openapi: Type.Object(
    {
      enabled: Type.Boolean({
        default: true,
        description: 'Serve the spec at /openapi/spec.json and the UI at /docs.',
      }),
    },
    { default: {} },
  ),
  db: Type.Object(
    {
      url: Type.String({
        default: '',
        description:
          'PostgreSQL connection URL (postgres://user:pass@host:port/db); empty runs embedded PGlite instead.',
        env: 'DATABASE_URL',
      }),
      dataDir: Type.String({
        default: '',
        description:
          'Directory of the embedded PGlite database when no url is set; empty keeps it in memory.',
      }),
      poolSize: Type.Integer({
        default: 10,
        minimum: 1,
        maximum: 1000,
        description:
          'Connections to PostgreSQL, and so the queries and scopes in flight at once (PGlite always has one).',
      }),
      maxQueued: Type.Integer({
        default: 1000,
        minimum: 0,
        description:
          'Requests allowed to wait for a connection; beyond that they get 503 DB_POOL_EXHAUSTED at once.',
      }),
      acquireTimeoutMs: Type.Integer({
        default: 5_000,
        minimum: 1,
        description: 'Longest wait for a free connection before 503 DB_POOL_EXHAUSTED.',
      }),
      connectTimeoutMs: Type.Integer({
        default: 5_000,
        minimum: 1,
        description:
          'Longest time to open a connection before 503 DB_UNAVAILABLE (an unreachable database fails fast).',
      }),
      idleTimeoutMs: Type.Integer({
        default: 60_000,
        minimum: 0,
        description: 'Close a connection idle this long (0 keeps idle connections open).',
      }),
      statementTimeoutMs: Type.Integer({
        default: 30_000,
        minimum: 0,
        description:
          'Server-side limit of one statement before 503 DB_TIMEOUT (PostgreSQL only; 0 disables).',
      }),
    },
    { default: {} },
  ),
});

export type CoreConfig = Static<typeof CoreConfigSchema>;

import { type Static, Type } from 'typebox';

/** Signature algorithms a bearer token may be verified with; "none" is never one of them. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

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
  metrics: Type.Object(
    {
      enabled: Type.Boolean({
        default: true,
        description:
          'Collect Prometheus metrics (HTTP, process, and what useDatabase, useClients, useMessaging and useScheduler tie in) and serve them at metrics.path.',
      }),
      path: Type.String({
        default: '/metrics',
        pattern: '^/',
        description: 'URL of the Prometheus text exposition; left out of the OpenAPI spec.',
      }),
      prefix: Type.String({
        default: '',
        pattern: '^([a-zA-Z_:][a-zA-Z0-9_:]*)?$',
        description:
          'Put before the name of every metric Wharf registers (e.g. "shop_"); empty keeps the standard names.',
      }),
      // Prometheus' own default buckets: they span 5 ms to 10 s, which covers a request
      // or a query from a cache hit to a timeout, and each bucket is one more series.
      buckets: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
        default: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        minItems: 1,
        maxItems: 30,
        description:
          'Upper bounds in seconds of the request and query duration histograms; every bound adds a series per label set.',
      }),
    },
    { default: {} },
  ),
  rateLimit: Type.Object(
    {
      // Off by default: the key is the client address, and behind a proxy that Fastify does
      // not trust every caller shares the proxy's, so a global limit would throttle them all.
      global: Type.Boolean({
        default: false,
        description:
          'Apply rateLimit.max per rateLimit.windowMs, per client address, to every route that does not set its own rateLimit option. Routes may set their own limit either way.',
      }),
      max: Type.Integer({
        default: 1000,
        minimum: 1,
        maximum: 1_000_000_000,
        description: 'Requests a client may send per window before 429 RATE_LIMITED.',
      }),
      windowMs: Type.Integer({
        default: 60_000,
        minimum: 1,
        maximum: 86_400_000,
        description: 'Length of the fixed rate-limit window.',
      }),
      redisUrl: Type.String({
        default: '',
        description:
          'Redis URL (redis://host:6379) where the counters live, shared by every replica; empty uses cache.redisUrl (REDIS_URL), and when both are empty the counters are in memory, per process.',
      }),
      keyPrefix: Type.String({
        default: 'wharf:ratelimit:',
        description:
          'Prefix of the counters in Redis; the service name follows it, so replicas of one service count together.',
      }),
      commandTimeoutMs: Type.Integer({
        default: 500,
        minimum: 1,
        maximum: 60_000,
        description:
          'Longest wait for Redis per request; when Redis is down or slow the request is let through.',
      }),
    },
    { default: {} },
  ),
  pressure: Type.Object(
    {
      enabled: Type.Boolean({
        default: true,
        description:
          'Answer 503 OVERLOADED at once while a limit below is exceeded, instead of queueing requests.',
      }),
      maxEventLoopDelayMs: Type.Integer({
        default: 1_000,
        minimum: 0,
        maximum: 60_000,
        description:
          'Mean event-loop delay over the last sample above which requests are shed (0 = off).',
      }),
      // Off by default: a service at full throughput runs its loop near 100 % while still
      // answering fast; the event-loop delay is what tells that answers come late.
      maxEventLoopUtilization: Type.Number({
        default: 0,
        minimum: 0,
        maximum: 1,
        description:
          'Share of the last sample the event loop was busy (0 to 1) above which requests are shed (0 = off).',
      }),
      maxHeapUsedBytes: Type.Integer({
        default: 0,
        minimum: 0,
        description: 'V8 heap in use above which requests are shed (0 = off).',
      }),
      maxRssBytes: Type.Integer({
        default: 0,
        minimum: 0,
        description: 'Resident memory of the process above which requests are shed (0 = off).',
      }),
      sampleIntervalMs: Type.Integer({
        default: 1_000,
        minimum: 10,
        maximum: 60_000,
        description: 'How often the event loop and memory are measured.',
      }),
      retryAfterMs: Type.Integer({
        default: 10_000,
        minimum: 1_000,
        maximum: 3_600_000,
        description: 'Wait suggested to shed callers in Retry-After (whole seconds, rounded up).',
      }),
    },
    { default: {} },
  ),
  securityHeaders: Type.Object(
    {
      enabled: Type.Boolean({
        default: true,
        description:
          'Send security headers on every response: the API set (Content-Security-Policy default-src none, X-Content-Type-Options, Strict-Transport-Security …) on answers, those of @fastify/helmet on the docs UI.',
      }),
    },
    { default: {} },
  ),
  auth: Type.Object(
    {
      jwt: Type.Object(
        {
          secret: Type.String({
            default: '',
            description:
              'Shared secret of HMAC-signed bearer tokens (HS256, HS384, HS512), at least 32 characters; empty accepts none. Routes with an auth option need this or jwksUrl.',
            env: 'JWT_SECRET',
          }),
          jwksUrl: Type.String({
            default: '',
            description:
              'URL of the JSON Web Key Set holding the public keys of RS, PS, ES and EdDSA tokens (e.g. https://issuer/.well-known/jwks.json); empty accepts none.',
            env: 'JWT_JWKS_URL',
          }),
          issuer: Type.String({
            default: '',
            description: 'Required iss claim of every token; empty does not check it.',
            env: 'JWT_ISSUER',
          }),
          audience: Type.String({
            default: '',
            description: 'Required aud claim of every token; empty does not check it.',
            env: 'JWT_AUDIENCE',
          }),
          // A fixed list, so a token can never choose "none" or an algorithm nobody audited.
          algorithms: Type.Array(Type.Union(JWT_ALGORITHMS.map((alg) => Type.Literal(alg))), {
            default: ['HS256', 'RS256', 'ES256'],
            minItems: 1,
            maxItems: JWT_ALGORITHMS.length,
            uniqueItems: true,
            description: 'Signature algorithms a token may use; any other gets 401 TOKEN_INVALID.',
          }),
          clockToleranceSec: Type.Integer({
            default: 5,
            minimum: 0,
            maximum: 300,
            description:
              "Clock skew allowed when checking the exp, nbf and iat claims against this machine's clock.",
          }),
          jwksTimeoutMs: Type.Integer({
            default: 2_000,
            minimum: 1,
            maximum: 30_000,
            description:
              'Longest wait for the key set; past it, or when it cannot be fetched, the request gets 503 AUTH_UNAVAILABLE.',
          }),
          jwksCooldownMs: Type.Integer({
            default: 30_000,
            minimum: 0,
            maximum: 600_000,
            description:
              'Shortest time between two fetches of the key set caused by tokens naming an unknown key.',
          }),
          jwksCacheMaxAgeMs: Type.Integer({
            default: 600_000,
            minimum: 1_000,
            maximum: 86_400_000,
            description: 'How long a fetched key set is used before it is fetched again.',
          }),
        },
        { default: {} },
      ),
    },
    { default: {} },
  ),
  cache: Type.Object(
    {
      redisUrl: Type.String({
        default: '',
        description:
          'Redis URL (redis://host:6379) of createCache; empty keeps entries in a bounded in-memory LRU, per process.',
        env: 'REDIS_URL',
      }),
      keyPrefix: Type.String({
        default: 'wharf:cache:',
        description: 'Prefix of every key, so several caches can share one Redis.',
      }),
      defaultTtlMs: Type.Integer({
        default: 60_000,
        minimum: 1,
        maximum: 2_592_000_000,
        description: 'Lifetime of an entry set without its own ttl.',
      }),
      maxEntries: Type.Integer({
        default: 10_000,
        minimum: 1,
        maximum: 10_000_000,
        description:
          'Most entries of the in-memory cache; the least recently used go first (Redis bounds itself with maxmemory).',
      }),
      maxBytes: Type.Integer({
        default: 67_108_864,
        minimum: 1024,
        maximum: 17_179_869_184,
        description:
          'Most characters of serialized JSON the in-memory cache holds; a larger single value is not cached.',
      }),
      connectTimeoutMs: Type.Integer({
        default: 2_000,
        minimum: 1,
        maximum: 60_000,
        description: 'Longest time to open the Redis connection.',
      }),
      commandTimeoutMs: Type.Integer({
        default: 500,
        minimum: 1,
        maximum: 60_000,
        description:
          'Longest wait for one Redis command; past it a read counts as a miss and wrap() calls its function.',
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
          'Connections to PostgreSQL, and so the queries and scopes in flight at once (PGlite always has one). Throughput of a one-row read stopped growing at about 10 (bench/db-pool.ts); keep poolSize × instances under max_connections.',
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
  messaging: Type.Object(
    {
      amqpUrl: Type.String({
        default: '',
        description:
          'RabbitMQ URL (amqp://user:pass@host:5672/vhost); empty runs the in-memory broker, whose messages live only as long as the process.',
        env: 'AMQP_URL',
      }),
      prefetch: Type.Integer({
        default: 16,
        minimum: 1,
        maximum: 10_000,
        description:
          'Messages a consumer holds unacknowledged, and so handles at once, unless consume() sets its own.',
      }),
      retries: Type.Integer({
        default: 3,
        minimum: 0,
        maximum: 100,
        description:
          'Retries of a message whose handler threw before it goes to <queue>.dead, unless consume() sets its own.',
      }),
      retryDelayMs: Type.Integer({
        default: 5_000,
        minimum: 1,
        maximum: 86_400_000,
        description:
          'Wait before a failed message is handled again (x-message-ttl of <queue>.retry), unless consume() sets its own. Changing it for an existing queue needs its .retry queue deleted first.',
      }),
      connectTimeoutMs: Type.Integer({
        default: 10_000,
        minimum: 1,
        maximum: 300_000,
        description:
          'Longest time the start waits for the broker (retrying with backoff) before the service start fails; also bounds each connection attempt.',
      }),
      reconnectDelayMs: Type.Integer({
        default: 100,
        minimum: 1,
        maximum: 60_000,
        description:
          'Wait before the first reconnection attempt after the connection dropped; it doubles per failed attempt up to reconnectMaxDelayMs.',
      }),
      reconnectMaxDelayMs: Type.Integer({
        default: 5_000,
        minimum: 1,
        maximum: 300_000,
        description: 'Longest wait between two reconnection attempts.',
      }),
      publishTimeoutMs: Type.Integer({
        default: 10_000,
        minimum: 1,
        maximum: 300_000,
        description:
          'Longest time a publish waits for the broker (a connection and its confirm) before 503 MESSAGING_UNAVAILABLE.',
      }),
      drainTimeoutMs: Type.Integer({
        default: 5_000,
        minimum: 0,
        maximum: 300_000,
        description:
          'At stop, longest wait for in-flight handlers to finish; messages still unacknowledged then are redelivered later. Keep it below shutdown.graceMs.',
      }),
      outboxIntervalMs: Type.Integer({
        default: 500,
        minimum: 10,
        maximum: 600_000,
        description:
          'How often the outbox relay looks for committed messages to publish (only with a database given to createMessaging).',
      }),
      outboxBatchSize: Type.Integer({
        default: 100,
        minimum: 1,
        maximum: 10_000,
        description:
          'Most outbox messages the relay publishes in one round; a full round is followed by another at once.',
      }),
    },
    { default: {} },
  ),
  // OpenTelemetry's standard variables are the aliases, so a service set up the usual way
  // (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT …) traces without Wharf-specific names.
  tracing: Type.Object(
    {
      exporter: Type.Union(
        [
          Type.Literal('none'),
          Type.Literal('console'),
          Type.Literal('zipkin'),
          Type.Literal('otlp'),
        ],
        {
          default: 'none',
          description:
            'Where finished spans go: "none" turns tracing off (no spans, no request hooks); "console" writes one JSON line per span to stdout or tracing.file; "zipkin" posts Zipkin v2 JSON to tracing.zipkinUrl; "otlp" posts OTLP/HTTP JSON to the OTLP URL.',
          env: 'OTEL_TRACES_EXPORTER',
        },
      ),
      serviceName: Type.String({
        default: '',
        description:
          'Service name in traces (resource service.name); empty uses the name given to createService. It applies to every service of the process.',
        env: 'OTEL_SERVICE_NAME',
      }),
      sampler: Type.Union(
        [
          Type.Literal('parentbased_traceidratio'),
          Type.Literal('parentbased_always_on'),
          Type.Literal('parentbased_always_off'),
          Type.Literal('traceidratio'),
          Type.Literal('always_on'),
          Type.Literal('always_off'),
        ],
        {
          default: 'parentbased_traceidratio',
          description:
            'Which traces are recorded: always_on all, always_off none, traceidratio tracing.sampleRatio of them (chosen by trace id, so every service of a trace agrees). The parentbased_ samplers follow the caller when a request carries trace headers and act as the rest of their name otherwise.',
          env: 'OTEL_TRACES_SAMPLER',
        },
      ),
      sampleRatio: Type.Number({
        default: 1,
        minimum: 0,
        maximum: 1,
        description:
          'Share of traces the traceidratio samplers record, from 0 to 1; the other samplers ignore it.',
        env: 'OTEL_TRACES_SAMPLER_ARG',
      }),
      propagators: Type.Array(
        Type.Union([
          Type.Literal('tracecontext'),
          Type.Literal('baggage'),
          Type.Literal('b3'),
          Type.Literal('b3multi'),
          Type.Literal('none'),
        ]),
        {
          default: ['tracecontext', 'baggage', 'b3multi'],
          description:
            'Trace headers read from requests and written on outgoing calls: tracecontext (W3C traceparent, tracestate), baggage (W3C baggage), b3 (one b3 header), b3multi (X-B3-* headers). Either b3 entry reads both B3 forms; when a request carries several formats, the first one listed wins.',
          env: 'OTEL_PROPAGATORS',
        },
      ),
      zipkinUrl: Type.String({
        default: 'http://localhost:9411/api/v2/spans',
        description: 'Zipkin v2 spans endpoint of the zipkin exporter.',
        env: 'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
      }),
      otlpUrl: Type.String({
        default: '',
        description:
          'OTLP/HTTP traces URL of the otlp exporter, used as given; when empty it is tracing.otlpEndpoint followed by /v1/traces.',
        env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      }),
      otlpEndpoint: Type.String({
        default: 'http://localhost:4318',
        description:
          'Base URL of the OTLP/HTTP collector; /v1/traces is appended. Ignored when tracing.otlpUrl is set.',
        env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      }),
      file: Type.String({
        default: '',
        description:
          'File the console exporter appends its span lines to; empty writes them to stdout.',
      }),
      maxQueueSize: Type.Integer({
        default: 2048,
        minimum: 1,
        description:
          'Finished spans waiting for export; when full, new spans are dropped (and counted) rather than slowing requests.',
        env: 'OTEL_BSP_MAX_QUEUE_SIZE',
      }),
      maxExportBatchSize: Type.Integer({
        default: 512,
        minimum: 1,
        description:
          'Most spans sent in one export; a full batch is sent without waiting for the delay.',
        env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      }),
      scheduledDelayMs: Type.Integer({
        default: 5_000,
        minimum: 0,
        description: 'Longest time a finished span waits in the queue before an export.',
        env: 'OTEL_BSP_SCHEDULE_DELAY',
      }),
      exportTimeoutMs: Type.Integer({
        // Below OpenTelemetry's 30 s, so the final flush fits in shutdown.graceMs.
        default: 5_000,
        minimum: 1,
        description:
          'Longest time one export may take before its spans count as dropped; also bounds the final flush at shutdown.',
        env: 'OTEL_BSP_EXPORT_TIMEOUT',
      }),
    },
    { default: {} },
  ),
  client: Type.Object(
    {
      ...clientSettings(true),
      upstreams: Type.Record(
        Type.String(),
        Type.Object(
          {
            url: Type.String({
              pattern: '^https?://',
              description: 'Base URL of the upstream, e.g. http://cities:8080.',
            }),
            ...Type.Partial(Type.Object(clientSettings(false))).properties,
          },
          { additionalProperties: false },
        ),
        {
          default: {},
          description:
            'Upstream services by name, for createClient({ name, config }): {"cities": {"url": "http://cities:8080"}}. Each may also override any client.* setting above, e.g. "retries": 0.',
        },
      ),
    },
    { default: {} },
  ),
});

/**
 * The settings of calls to other services. `client.*` holds the defaults; each entry of
 * `client.upstreams` may override them, so there they have no default of their own.
 */
function clientSettings(withDefaults: boolean) {
  const fallback = (value: number) => (withDefaults ? { default: value } : {});
  return {
    // HTTP/1.1 carries one request at a time per connection, so this caps the calls in
    // flight to one upstream; more wait in the pool, bounded by deadlineMs. 64 exceeds the
    // concurrency one instance usually sends to one upstream while keeping sockets (on
    // both sides, times instances) bounded.
    connections: Type.Integer({
      ...fallback(64),
      minimum: 1,
      maximum: 1024,
      description:
        'Keep-alive connections per upstream, and so calls in flight to it at once; more wait for a free one.',
    }),
    connectTimeoutMs: Type.Integer({
      ...fallback(2_000),
      minimum: 1,
      maximum: 60_000,
      description:
        'Longest time to open a connection to an upstream before 503 UPSTREAM_UNAVAILABLE.',
    }),
    headersTimeoutMs: Type.Integer({
      ...fallback(5_000),
      minimum: 1,
      maximum: 600_000,
      description:
        'Longest wait for the response headers of one attempt before 504 UPSTREAM_TIMEOUT.',
    }),
    bodyTimeoutMs: Type.Integer({
      ...fallback(5_000),
      minimum: 1,
      maximum: 600_000,
      description:
        'Longest pause between two chunks of a response body before 504 UPSTREAM_TIMEOUT.',
    }),
    deadlineMs: Type.Integer({
      ...fallback(10_000),
      minimum: 1,
      maximum: 600_000,
      description:
        'Longest time one call may take, retries and their delays included, before 504 UPSTREAM_TIMEOUT.',
    }),
    retries: Type.Integer({
      ...fallback(2),
      minimum: 0,
      maximum: 10,
      description:
        'Retries of an idempotent call (GET, HEAD, PUT, DELETE, OPTIONS) after a connection error or a 502, 503 or 504.',
    }),
    retryDelayMs: Type.Integer({
      ...fallback(100),
      minimum: 0,
      maximum: 60_000,
      description:
        'Base of the exponential backoff: retry n waits a random time up to retryDelayMs × 2^(n-1).',
    }),
    retryMaxDelayMs: Type.Integer({
      ...fallback(2_000),
      minimum: 0,
      maximum: 60_000,
      description:
        'Longest wait before a retry; a longer Retry-After from the upstream means no retry.',
    }),
    breakerThreshold: Type.Integer({
      ...fallback(5),
      minimum: 0,
      description:
        'Consecutive failures (connection errors, timeouts, 5xx) that open the circuit; 0 disables the breaker.',
    }),
    breakerCoolDownMs: Type.Integer({
      ...fallback(10_000),
      minimum: 1,
      maximum: 600_000,
      description:
        'Time an open circuit answers 503 UPSTREAM_UNAVAILABLE at once before one probe call may go through.',
    }),
    maxResponseBytes: Type.Integer({
      ...fallback(10_485_760),
      minimum: 1,
      maximum: 1_073_741_824,
      description: 'Largest accepted response body; a larger one fails the call with 502.',
    }),
  };
}

export type CoreConfig = Static<typeof CoreConfigSchema>;

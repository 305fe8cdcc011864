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

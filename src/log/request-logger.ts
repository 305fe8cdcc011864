import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';

type LogArgs = Parameters<Logger['info']>;

/**
 * A request's logger that becomes a pino child only when something logs through it.
 *
 * Fastify gives every request a child logger, and making one serializes its bindings;
 * tracing then needed a second child for the trace ids. Most requests write nothing but
 * their access line, which `writeRequestLine` writes through the parent with the bindings
 * merged in, so those requests make no child at all. Ids bound later (`bindRequestLog`)
 * join the bindings until the child exists.
 */
export class RequestLogger {
  readonly #parent: Logger;
  #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): LevelWithSilentOrString {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#logger().level = level;
  }

  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    if (this.#child) return this.#child.isLevelEnabled(level);
    const values = this.#parent.levels.values;
    const threshold = values[this.level];
    const wanted = values[level];
    // pino's own rule: an unknown level is never enabled, `silent` (Infinity) disables all.
    return wanted !== undefined && threshold !== undefined && wanted >= threshold;
  }

  /** The bindings of a line written now: the parent's, the request id, ids bound since. */
  bindings(): Bindings {
    return this.#child ? this.#child.bindings() : { ...this.#parent.bindings(), ...this.#bindings };
  }

  /** Add bindings to every later line of this request. */
  bind(bindings: Bindings): void {
    if (this.#child) this.#child = this.#child.child(bindings);
    else this.#bindings = merge(this.#bindings, bindings);
  }

  /** One line with the request's bindings, without making the child when there is none. */
  line(level: Level, fields: object, message: string): void {
    if (this.#child) {
      this.#child[level](fields, message);
    } else if (!this.#options.serializers && this.isLevelEnabled(level)) {
      // A child writes its bindings before a line's own fields; so does this.
      this.#parent[level](merge(this.#bindings, fields), message);
    } else if (this.isLevelEnabled(level)) {
      this.#logger()[level](fields, message);
    }
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#logger().child(bindings, options);
  }

  fatal(...args: LogArgs): void {
    if (this.isLevelEnabled('fatal')) this.#logger().fatal(...args);
  }
  error(...args: LogArgs): void {
    if (this.isLevelEnabled('error')) this.#logger().error(...args);
  }
  warn(...args: LogArgs): void {
    if (this.isLevelEnabled('warn')) this.#logger().warn(...args);
  }
  info(...args: LogArgs): void {
    if (this.isLevelEnabled('info')) this.#logger().info(...args);
  }
  debug(...args: LogArgs): void {
    if (this.isLevelEnabled('debug')) this.#logger().debug(...args);
  }
  trace(...args: LogArgs): void {
    if (this.isLevelEnabled('trace')) this.#logger().trace(...args);
  }
  silent(): void {}

  #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }
}

/** `{ ...first, ...second }`, written out: V8 runs the spread several times slower. */
function merge(first: object, second: object): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const key in first) merged[key] = first[key as keyof typeof first];
  for (const key in second) merged[key] = second[key as keyof typeof second];
  return merged;
}

/**
 * Fastify's `childLoggerFactory` for a pino root logger: a `RequestLogger` per request.
 * Fastify types the request logger loosely; this one has pino's log methods and level.
 */
export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger;
}

/** Something holding a request's logger: a Fastify request or reply. */
interface HasLog {
  log: FastifyBaseLogger;
}

/**
 * Add `bindings` to every later line of the request's logger. A request logger that is
 * not a `RequestLogger` (a Fastify instance built without Wharf's factory) is replaced
 * by a child on the request and on its reply, which Fastify logs some errors on.
 */
export function bindRequestLog(request: HasLog, reply: HasLog, bindings: Bindings): void {
  if (request.log instanceof RequestLogger) {
    request.log.bind(bindings);
    return;
  }
  request.log = request.log.child(bindings);
  reply.log = request.log;
}

/** Write `fields` at `level` on a request's logger, the cheap way when it is Wharf's. */
export function writeRequestLine(
  log: FastifyBaseLogger,
  level: Level,
  fields: object,
  message: string,
): void {
  if (log instanceof RequestLogger) log.line(level, fields, message);
  else log[level](fields, message);
}

/**
 * Every error Wharf raises, with its stable code and HTTP status.
 *
 * Codes are part of the public API: clients branch on `code`, never on `message`.
 * A handler throws any of these (or its own `ServiceError`) and the service turns it
 * into `{ "code": …, "message": …, "error": … }` with the matching status.
 */

export interface ServiceErrorOptions {
  /** HTTP status of the response. */
  status: number;
  /** Stable application code, e.g. `CITY_NOT_FOUND`. */
  code: string;
  /** Human-readable sentence; safe to show to callers. */
  message: string;
  /** Structured detail for callers (field list, ids …). Never a stack trace. */
  error?: unknown;
  cause?: unknown;
}

/** The base of every error that reaches a caller as an envelope. */
export class ServiceError extends Error {
  readonly status: number;
  readonly code: string;
  readonly error: unknown;

  constructor(options: ServiceErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.code = options.code;
    this.error = options.error;
  }
}

/** The stable codes of Wharf's own errors. */
export const ErrorCode = {
  badRequest: 'BAD_REQUEST',
  validationFailed: 'VALIDATION_FAILED',
  malformedJson: 'MALFORMED_JSON',
  forbiddenKey: 'FORBIDDEN_KEY',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  tokenMissing: 'TOKEN_MISSING',
  tokenInvalid: 'TOKEN_INVALID',
  tokenExpired: 'TOKEN_EXPIRED',
  insufficientScope: 'INSUFFICIENT_SCOPE',
  authUnavailable: 'AUTH_UNAVAILABLE',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  requestTimeout: 'REQUEST_TIMEOUT',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  headersTooLarge: 'HEADERS_TOO_LARGE',
  internal: 'INTERNAL_ERROR',
  serviceUnavailable: 'SERVICE_UNAVAILABLE',
  shuttingDown: 'SHUTTING_DOWN',
  config: 'CONFIG_INVALID',
  routeDefinition: 'ROUTE_DEFINITION_INVALID',
  dbUnavailable: 'DB_UNAVAILABLE',
  dbPoolExhausted: 'DB_POOL_EXHAUSTED',
  dbTimeout: 'DB_TIMEOUT',
  dbConflict: 'DB_CONFLICT',
  dbReference: 'DB_REFERENCE',
  dbInvalidValue: 'DB_INVALID_VALUE',
  migrationInvalid: 'MIGRATION_INVALID',
  migrationChanged: 'MIGRATION_CHANGED',
  migrationFailed: 'MIGRATION_FAILED',
  migrationIrreversible: 'MIGRATION_IRREVERSIBLE',
  upstreamError: 'UPSTREAM_ERROR',
  upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  upstreamTimeout: 'UPSTREAM_TIMEOUT',
  messagingUnavailable: 'MESSAGING_UNAVAILABLE',
  messagingTopology: 'MESSAGING_TOPOLOGY_INVALID',
  scheduleInvalid: 'SCHEDULE_INVALID',
  rateLimited: 'RATE_LIMITED',
  overloaded: 'OVERLOADED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One failing field of a request that did not match its schema. */
export interface FieldError {
  /** Where the value sits: `body`, `query`, `params` or `headers`. */
  in: string;
  /** JSON pointer inside that part, e.g. `/address/zip`; empty for the part itself. */
  path: string;
  message: string;
}

export class BadRequestError extends ServiceError {
  constructor(message = 'Bad request', error?: unknown) {
    super({ status: 400, code: ErrorCode.badRequest, message, error });
  }
}

export class ValidationError extends ServiceError {
  readonly fields: FieldError[];
  constructor(fields: FieldError[]) {
    super({
      status: 400,
      code: ErrorCode.validationFailed,
      message: 'Request validation failed',
      error: { fields },
    });
    this.fields = fields;
  }
}

export class MalformedJsonError extends ServiceError {
  constructor(detail: string) {
    super({
      status: 400,
      code: ErrorCode.malformedJson,
      message: 'Request body is not valid JSON',
      error: { detail },
    });
  }
}

export class ForbiddenKeyError extends ServiceError {
  constructor() {
    super({
      status: 400,
      code: ErrorCode.forbiddenKey,
      message: 'Request body contains a forbidden key (__proto__ or constructor.prototype)',
    });
  }
}

/** 401; bearer authentication uses the TOKEN_MISSING, TOKEN_INVALID and TOKEN_EXPIRED codes. */
export class UnauthorizedError extends ServiceError {
  constructor(
    message = 'Authentication required',
    error?: unknown,
    code: string = ErrorCode.unauthorized,
  ) {
    super({ status: 401, code, message, error });
  }
}

/** 403; a token without a scope the route requires gets INSUFFICIENT_SCOPE. */
export class ForbiddenError extends ServiceError {
  constructor(message = 'Forbidden', error?: unknown, code: string = ErrorCode.forbidden) {
    super({ status: 403, code, message, error });
  }
}

export class NotFoundError extends ServiceError {
  constructor(message = 'Not found', error?: unknown) {
    super({ status: 404, code: ErrorCode.notFound, message, error });
  }
}

export class MethodNotAllowedError extends ServiceError {
  readonly allow: readonly string[];
  constructor(method: string, allow: readonly string[]) {
    super({
      status: 405,
      code: ErrorCode.methodNotAllowed,
      message: `Method ${method} is not allowed here`,
      error: { allow },
    });
    this.allow = allow;
  }
}

export class RequestTimeoutError extends ServiceError {
  constructor() {
    super({ status: 408, code: ErrorCode.requestTimeout, message: 'Request timed out' });
  }
}

export class PayloadTooLargeError extends ServiceError {
  constructor(limit: number) {
    super({
      status: 413,
      code: ErrorCode.payloadTooLarge,
      message: `Request body is larger than ${limit} bytes`,
      error: { limit },
    });
  }
}

export class UnsupportedMediaTypeError extends ServiceError {
  constructor(contentType: string | undefined) {
    super({
      status: 415,
      code: ErrorCode.unsupportedMediaType,
      message: `Unsupported content type: ${contentType ?? '(none)'}`,
    });
  }
}

export class HeadersTooLargeError extends ServiceError {
  constructor() {
    super({
      status: 431,
      code: ErrorCode.headersTooLarge,
      message: 'Request headers are too large',
    });
  }
}

/**
 * The message of anything thrown. Code may throw any value, and `String()` itself throws
 * for some (an object without a prototype, a `toString` that throws).
 */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

/** What a caller sees for an unexpected throw; the real error goes to the log only. */
export class InternalError extends ServiceError {
  constructor(cause?: unknown) {
    super({ status: 500, code: ErrorCode.internal, message: 'Internal server error', cause });
  }
}

export class ServiceUnavailableError extends ServiceError {
  constructor(
    message = 'Service unavailable',
    error?: unknown,
    code: string = ErrorCode.serviceUnavailable,
  ) {
    super({ status: 503, code, message, error });
  }
}

/** A client sent more requests than its rate limit allows in the current window (429). */
export class RateLimitedError extends ServiceError {
  /** Seconds until the window resets, also sent as `Retry-After`. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super({
      status: 429,
      code: ErrorCode.rateLimited,
      message: `Too many requests, retry in ${retryAfterSeconds} s`,
      error: { retryAfter: retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The service sheds load: its event loop, memory or CPU is past a configured limit, so it
 * answers at once instead of queueing work it would serve too late (503).
 */
export class OverloadedError extends ServiceUnavailableError {
  constructor() {
    super('Service is overloaded, retry later', undefined, ErrorCode.overloaded);
  }
}

/** The database cannot be reached (down, refusing, connect timeout) or the pool is closed. */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor(message = 'Database is unavailable', cause?: unknown) {
    super(message, undefined, ErrorCode.dbUnavailable);
    if (cause !== undefined) this.cause = cause;
  }
}

/** Every connection stayed busy for the whole admission wait, or the wait queue was full. */
export class DatabasePoolExhaustedError extends ServiceUnavailableError {
  constructor(reason: 'queue-full' | 'timeout') {
    super('Too many concurrent database requests', { reason }, ErrorCode.dbPoolExhausted);
  }
}

/** A statement ran past the statement timeout and was cancelled by the server. */
export class DatabaseTimeoutError extends ServiceUnavailableError {
  constructor(cause?: unknown) {
    super('Database statement timed out', undefined, ErrorCode.dbTimeout);
    if (cause !== undefined) this.cause = cause;
  }
}

/** A write broke a constraint of the stored data (409); `error` names it when known. */
abstract class DatabaseConstraintError extends ServiceError {
  /** Name of the violated constraint, when the server reported it. */
  readonly constraint: string | undefined;
  constructor(code: string, message: string, constraint?: string, cause?: unknown) {
    super({
      status: 409,
      code,
      message,
      error: constraint === undefined ? undefined : { constraint },
      cause,
    });
    this.constraint = constraint;
  }
}

/** A write broke a unique constraint: the resource already exists. */
export class DatabaseConflictError extends DatabaseConstraintError {
  constructor(constraint?: string, cause?: unknown) {
    super(ErrorCode.dbConflict, 'The resource conflicts with an existing one', constraint, cause);
  }
}

/**
 * A write broke a foreign key: it refers to a row that does not exist, or deletes one
 * that others still refer to.
 */
export class DatabaseReferenceError extends DatabaseConstraintError {
  constructor(constraint?: string, cause?: unknown) {
    super(
      ErrorCode.dbReference,
      'The resource refers to one that does not exist, or is still referred to',
      constraint,
      cause,
    );
  }
}

/**
 * The database refused a value the request carried (400): a text with a NUL character
 * or longer than its column, a number out of the column's range, a malformed value for
 * its type (SQLSTATE class 22), or a check constraint it breaks. `error` holds the
 * SQLSTATE, and the check constraint's name when one failed.
 */
export class DatabaseInvalidValueError extends ServiceError {
  readonly sqlState: string;
  constructor(sqlState: string, constraint?: string, cause?: unknown) {
    super({
      status: 400,
      code: ErrorCode.dbInvalidValue,
      message: 'A value in the request cannot be stored',
      error: constraint === undefined ? { sqlState } : { sqlState, constraint },
      cause,
    });
    this.sqlState = sqlState;
  }
}

/** Any other SQL failure: callers see a plain 500; `sqlState` and the cause go to the log. */
export class DatabaseQueryError extends InternalError {
  /** The server's SQLSTATE, e.g. `42P01` for an unknown table. */
  readonly sqlState: string | undefined;
  constructor(sqlState?: string, cause?: unknown) {
    super(cause);
    this.sqlState = sqlState;
  }
}

/** What an upstream service answered when a call to it failed; see `UpstreamError`. */
export interface UpstreamAnswer {
  /** The HTTP status it answered. */
  status: number;
  /** Its error code (`CITY_NOT_FOUND`); undefined when the body was no Wharf envelope. */
  code: string | undefined;
  /** Its message, or the status text when the body was no Wharf envelope. */
  message: string;
  /** The envelope's `error` detail, or the whole body when it was no Wharf envelope. */
  error: unknown;
}

/**
 * An upstream service answered with an error. Left uncaught in a handler it becomes a 502
 * `UPSTREAM_ERROR` whose detail names the upstream, its status and its code; the upstream's
 * message and detail go to the log only. Handlers map the answers they expect themselves,
 * above all an upstream 404, which usually means a 404 of their own.
 */
export class UpstreamError extends ServiceError {
  /** The upstream's name, as given to `createClient`. */
  readonly upstream: string;
  readonly upstreamStatus: number;
  readonly upstreamCode: string | undefined;
  readonly upstreamMessage: string;
  readonly upstreamError: unknown;
  constructor(upstream: string, answer: UpstreamAnswer) {
    const code = answer.code === undefined ? '' : ` ${answer.code}`;
    super({
      status: 502,
      code: ErrorCode.upstreamError,
      message: `Upstream "${upstream}" answered ${answer.status}${code}`,
      error: { upstream, status: answer.status, code: answer.code },
    });
    this.upstream = upstream;
    this.upstreamStatus = answer.status;
    this.upstreamCode = answer.code;
    this.upstreamMessage = answer.message;
    this.upstreamError = answer.error;
  }
}

/** Why an upstream counts as unavailable: its circuit is open, or no connection could be made. */
export type UpstreamUnavailableReason = 'circuit-open' | 'connection';

/** An upstream could not be reached, or its circuit breaker refused the call (503). */
export class UpstreamUnavailableError extends ServiceUnavailableError {
  readonly upstream: string;
  readonly reason: UpstreamUnavailableReason;
  constructor(upstream: string, reason: UpstreamUnavailableReason, cause?: unknown) {
    const why = reason === 'circuit-open' ? 'its circuit is open' : 'it cannot be reached';
    super(
      `Upstream "${upstream}" is unavailable: ${why}`,
      { upstream, reason },
      ErrorCode.upstreamUnavailable,
    );
    this.upstream = upstream;
    this.reason = reason;
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * Which limit an upstream call ran into: waiting for the response headers, a pause in the
 * response body, or the call's total deadline (retries included).
 */
export type UpstreamTimeoutPhase = 'headers' | 'body' | 'deadline';

/** An upstream call ran out of time (504). */
export class UpstreamTimeoutError extends ServiceError {
  readonly upstream: string;
  readonly phase: UpstreamTimeoutPhase;
  constructor(upstream: string, phase: UpstreamTimeoutPhase, cause?: unknown) {
    super({
      status: 504,
      code: ErrorCode.upstreamTimeout,
      message: `Upstream "${upstream}" timed out (${phase})`,
      error: { upstream, timeout: phase },
      cause,
    });
    this.upstream = upstream;
    this.phase = phase;
  }
}

/**
 * The message broker cannot take a message now: no connection (and none came back within
 * `messaging.publishTimeoutMs`), no confirm in time, or messaging is stopped (503).
 */
export class MessagingUnavailableError extends ServiceUnavailableError {
  constructor(message = 'Message broker is unavailable', cause?: unknown) {
    super(message, undefined, ErrorCode.messagingUnavailable);
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * The broker refused a message for good: its exchange does not exist, or the broker
 * rejected it (negative confirm). Callers see a plain 500; the reason goes to the log.
 */
export class MessagePublishError extends InternalError {
  /** Why the broker refused it, e.g. `NOT_FOUND - no exchange 'orders'`. */
  readonly reason: string;
  constructor(reason: string, cause?: unknown) {
    super(cause);
    this.reason = reason;
  }
}

/**
 * A message published as mandatory reached no queue: its routing key names no queue, or
 * no binding of the exchange matches it (e.g. the queue was deleted while running).
 */
export class MessageUnroutableError extends MessagePublishError {
  constructor(exchange: string, routingKey: string) {
    super(`NO_ROUTE - no queue takes '${routingKey}' on exchange '${exchange}'`);
  }
}

/**
 * The declared exchanges, queues or bindings cannot work, or conflict with what the broker
 * already has (e.g. a queue declared earlier with other arguments). Raised at start; never
 * reaches a caller.
 */
export class MessagingTopologyError extends Error {
  readonly code = ErrorCode.messagingTopology;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MessagingTopologyError';
  }
}

/** Raised at start-up when the configuration is invalid; never reaches a caller. */
export class ConfigError extends Error {
  readonly code = ErrorCode.config;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Raised at boot for a route table that cannot work (duplicate names, bad schemas). */
export class RouteDefinitionError extends Error {
  readonly code = ErrorCode.routeDefinition;
  constructor(message: string) {
    super(message);
    this.name = 'RouteDefinitionError';
  }
}

/** Raised when a job is scheduled with a cron expression or timezone that cannot work. */
export class ScheduleDefinitionError extends Error {
  readonly code = ErrorCode.scheduleInvalid;
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleDefinitionError';
  }
}

/** Why a migration command stopped; see `MigrationError`. */
export type MigrationErrorCode =
  | typeof ErrorCode.migrationInvalid
  | typeof ErrorCode.migrationChanged
  | typeof ErrorCode.migrationFailed
  | typeof ErrorCode.migrationIrreversible;

/**
 * A migration file is malformed, was changed after it was applied, failed to run, or
 * cannot be rolled back. Raised by `migrate`, `rollback` and `wharf migrate`; never reaches a caller.
 */
export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  /** The migration file concerned, when there is one. */
  readonly file: string | undefined;
  constructor(
    code: MigrationErrorCode,
    message: string,
    options: { file?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
    this.code = code;
    this.file = options.file;
  }
}

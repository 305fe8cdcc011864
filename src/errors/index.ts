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

export class UnauthorizedError extends ServiceError {
  constructor(message = 'Authentication required', error?: unknown) {
    super({ status: 401, code: ErrorCode.unauthorized, message, error });
  }
}

export class ForbiddenError extends ServiceError {
  constructor(message = 'Forbidden', error?: unknown) {
    super({ status: 403, code: ErrorCode.forbidden, message, error });
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

import { describe, expect, it } from 'vitest';
import * as wharf from 'wharf';
import {
  BadRequestError,
  ConfigError,
  DatabaseConflictError,
  DatabaseInvalidValueError,
  DatabasePoolExhaustedError,
  DatabaseQueryError,
  DatabaseReferenceError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  ErrorCode,
  ForbiddenError,
  ForbiddenKeyError,
  HeadersTooLargeError,
  InternalError,
  MalformedJsonError,
  MessagePublishError,
  MessageUnroutableError,
  MessagingUnavailableError,
  MethodNotAllowedError,
  messageOf,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitedError,
  RequestTimeoutError,
  RouteDefinitionError,
  ServiceError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  ValidationError,
} from 'wharf';

interface Row {
  make: () => ServiceError;
  type: new (...args: never[]) => ServiceError;
  status: number;
  code: string;
}

/** Every error a caller can see, with the status and code clients rely on. */
const table: Row[] = [
  { make: () => new BadRequestError(), type: BadRequestError, status: 400, code: 'BAD_REQUEST' },
  {
    make: () => new ValidationError([{ in: 'body', path: '/name', message: 'is required' }]),
    type: ValidationError,
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    make: () => new MalformedJsonError('Unexpected end of JSON input'),
    type: MalformedJsonError,
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    make: () => new ForbiddenKeyError(),
    type: ForbiddenKeyError,
    status: 400,
    code: 'FORBIDDEN_KEY',
  },
  {
    make: () => new UnauthorizedError(),
    type: UnauthorizedError,
    status: 401,
    code: 'UNAUTHORIZED',
  },
  { make: () => new ForbiddenError(), type: ForbiddenError, status: 403, code: 'FORBIDDEN' },
  { make: () => new NotFoundError(), type: NotFoundError, status: 404, code: 'NOT_FOUND' },
  {
    make: () => new MethodNotAllowedError('DELETE', ['GET', 'HEAD']),
    type: MethodNotAllowedError,
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
  },
  {
    make: () => new RequestTimeoutError(),
    type: RequestTimeoutError,
    status: 408,
    code: 'REQUEST_TIMEOUT',
  },
  {
    make: () => new PayloadTooLargeError(100),
    type: PayloadTooLargeError,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    make: () => new UnsupportedMediaTypeError('text/plain'),
    type: UnsupportedMediaTypeError,
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    make: () => new HeadersTooLargeError(),
    type: HeadersTooLargeError,
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  {
    make: () => new InternalError(new Error('secret')),
    type: InternalError,
    status: 500,
    code: 'INTERNAL_ERROR',
  },
  {
    make: () => new ServiceUnavailableError(),
    type: ServiceUnavailableError,
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
  },
  {
    make: () => new ServiceUnavailableError('Going down', undefined, ErrorCode.shuttingDown),
    type: ServiceUnavailableError,
    status: 503,
    code: 'SHUTTING_DOWN',
  },
  {
    make: () => new DatabaseUnavailableError(),
    type: DatabaseUnavailableError,
    status: 503,
    code: 'DB_UNAVAILABLE',
  },
  {
    make: () => new DatabasePoolExhaustedError('timeout'),
    type: DatabasePoolExhaustedError,
    status: 503,
    code: 'DB_POOL_EXHAUSTED',
  },
  {
    make: () => new DatabaseTimeoutError(),
    type: DatabaseTimeoutError,
    status: 503,
    code: 'DB_TIMEOUT',
  },
  {
    make: () =>
      new UpstreamError('cities', { status: 404, code: 'CITY_NOT_FOUND', message: '', error: {} }),
    type: UpstreamError,
    status: 502,
    code: 'UPSTREAM_ERROR',
  },
  {
    make: () => new UpstreamUnavailableError('cities', 'circuit-open'),
    type: UpstreamUnavailableError,
    status: 503,
    code: 'UPSTREAM_UNAVAILABLE',
  },
  {
    make: () => new UpstreamTimeoutError('cities', 'deadline'),
    type: UpstreamTimeoutError,
    status: 504,
    code: 'UPSTREAM_TIMEOUT',
  },
  {
    make: () => new DatabaseConflictError('cities_name_key'),
    type: DatabaseConflictError,
    status: 409,
    code: 'DB_CONFLICT',
  },
  {
    make: () => new DatabaseReferenceError('residents_city_id_fkey'),
    type: DatabaseReferenceError,
    status: 409,
    code: 'DB_REFERENCE',
  },
  {
    make: () => new DatabaseInvalidValueError('22001'),
    type: DatabaseInvalidValueError,
    status: 400,
    code: 'DB_INVALID_VALUE',
  },
  {
    make: () => new DatabaseQueryError('42P01'),
    type: DatabaseQueryError,
    status: 500,
    code: 'INTERNAL_ERROR',
  },
  {
    make: () => new MessagingUnavailableError(),
    type: MessagingUnavailableError,
    status: 503,
    code: 'MESSAGING_UNAVAILABLE',
  },
  {
    make: () => new MessagePublishError("NOT_FOUND - no exchange 'orders'"),
    type: MessagePublishError,
    status: 500,
    code: 'INTERNAL_ERROR',
  },
  {
    make: () => new MessageUnroutableError('', 'orders.dead'),
    type: MessageUnroutableError,
    status: 500,
    code: 'INTERNAL_ERROR',
  },
  {
    make: () => new RateLimitedError(30),
    type: RateLimitedError,
    status: 429,
    code: 'RATE_LIMITED',
  },
  { make: () => new OverloadedError(), type: OverloadedError, status: 503, code: 'OVERLOADED' },
];

describe('error classes', () => {
  it.each(
    table.map((row) => [row.type.name, row.code, row.status, row] as const),
  )('gives %s the code %s and the status %i', (_, code, status, row) => {
    const error = row.make();
    expect(error).toBeInstanceOf(row.type);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.name).toBe(row.type.name);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('covers every error class a caller can receive', () => {
    const exported = Object.values(wharf).filter(
      (value): value is typeof ServiceError =>
        typeof value === 'function' && value.prototype instanceof ServiceError,
    );
    const covered = new Set<unknown>(table.map((row) => row.type));
    expect(exported.filter((type) => !covered.has(type)).map((type) => type.name)).toEqual([]);
  });

  it('takes every built-in code from ErrorCode', () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    for (const row of table) expect(codes).toContain(row.code);
  });

  it('keeps codes unique and in SCREAMING_SNAKE_CASE', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });

  it('puts the failing fields of a ValidationError in both fields and error', () => {
    const fields = [
      { in: 'body', path: '/name', message: 'must NOT have fewer than 1 characters' },
      { in: 'query', path: '/limit', message: 'must be integer' },
    ];
    const error = new ValidationError(fields);
    expect(error.fields).toEqual(fields);
    expect(error.error).toEqual({ fields });
  });

  it('says which methods are allowed in a MethodNotAllowedError', () => {
    const error = new MethodNotAllowedError('DELETE', ['GET', 'HEAD']);
    expect(error.allow).toEqual(['GET', 'HEAD']);
    expect(error.error).toEqual({ allow: ['GET', 'HEAD'] });
    expect(error.message).toContain('DELETE');
  });

  it('states the limit in a PayloadTooLargeError', () => {
    const error = new PayloadTooLargeError(100);
    expect(error.error).toEqual({ limit: 100 });
    expect(error.message).toContain('100');
  });

  it('keeps the real failure of an InternalError as its cause only', () => {
    const cause = new Error('connection string has password=hunter2');
    const error = new InternalError(cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Internal server error');
    expect(error.error).toBeUndefined();
  });
});

describe('ServiceError', () => {
  it('carries status, code, message, error detail and cause', () => {
    const cause = new Error('row missing');
    const error = new ServiceError({
      status: 404,
      code: 'CITY_NOT_FOUND',
      message: 'No such city',
      error: { id: 7 },
      cause,
    });
    expect(error.status).toBe(404);
    expect(error.code).toBe('CITY_NOT_FOUND');
    expect(error.message).toBe('No such city');
    expect(error.error).toEqual({ id: 7 });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ServiceError');
    expect(error.stack).toContain('No such city');
  });

  it('leaves error and cause undefined when not given', () => {
    const error = new ServiceError({ status: 409, code: 'CITY_EXISTS', message: 'Exists' });
    expect(error.error).toBeUndefined();
    expect(error.cause).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('names subclasses after themselves', () => {
    class CityNotFound extends ServiceError {
      constructor(id: number) {
        super({ status: 404, code: 'CITY_NOT_FOUND', message: `No city ${id}` });
      }
    }
    const error = new CityNotFound(3);
    expect(error.name).toBe('CityNotFound');
    expect(error).toBeInstanceOf(ServiceError);
  });
});

describe('boot-time errors', () => {
  it.each([
    [ConfigError, 'CONFIG_INVALID'],
    [RouteDefinitionError, 'ROUTE_DEFINITION_INVALID'],
  ] as const)('gives %o a stable code and keeps it out of the caller errors', (Type, code) => {
    const error = new Type('something is wrong');
    expect(error.code).toBe(code);
    expect(error.message).toBe('something is wrong');
    expect(error.name).toBe(Type.name);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ServiceError);
  });
});

describe('messageOf', () => {
  it('gives the message of anything thrown, even a value String() cannot print', () => {
    const unprintable = {
      toString() {
        throw new Error('no');
      },
    };
    expect(messageOf(new Error('disk full'))).toBe('disk full');
    expect(messageOf('plain text')).toBe('plain text');
    expect(messageOf(undefined)).toBe('undefined');
    expect(messageOf(Object.create(null))).toBe('[object Object]');
    expect(messageOf(unprintable)).toBe('[object Object]');
  });
});

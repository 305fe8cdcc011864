import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyRequest } from 'fastify';
import {
  BadRequestError,
  ErrorCode,
  type FieldError,
  InternalError,
  MalformedJsonError,
  PayloadTooLargeError,
  ServiceError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors/index.js';

interface AjvIssue {
  keyword?: string;
  instancePath: string;
  schemaPath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** What Fastify (or a plugin) may hang on an error; any of it can be missing. */
type FrameworkError = Partial<FastifyError> & {
  validationContext?: string;
  validation?: AjvIssue[];
};

/** The request the error belongs to, when there is one (socket-level errors have none). */
export type ErroredRequest = Pick<
  FastifyRequest,
  'headers' | 'routeOptions' | 'getValidationFunction' | 'params' | 'body' | 'query'
>;

/** The order in which Fastify validates request parts; it stops at the first failing one. */
const PARTS = ['params', 'body', 'querystring', 'headers'] as const;
type Part = (typeof PARTS)[number];
const PART_NAMES: Record<Part, FieldError['in']> = {
  params: 'params',
  body: 'body',
  querystring: 'query',
  headers: 'headers',
};

/** Wharf's codes for the statuses its own errors use; other statuses derive theirs. */
const STATUS_CODE_NAMES: Record<number, string> = {
  400: ErrorCode.badRequest,
  401: ErrorCode.unauthorized,
  403: ErrorCode.forbidden,
  404: ErrorCode.notFound,
  405: ErrorCode.methodNotAllowed,
  408: ErrorCode.requestTimeout,
  413: ErrorCode.payloadTooLarge,
  415: ErrorCode.unsupportedMediaType,
  431: ErrorCode.headersTooLarge,
};

/**
 * Turn whatever a request threw into a ServiceError. Fastify's own errors are recognised
 * by their stable `FST_ERR_*` codes; anything unknown becomes an InternalError.
 *
 * `bodyLimit` is the service-wide limit, used when the request does not say its own.
 */
export function toServiceError(
  err: unknown,
  bodyLimit: number,
  request?: ErroredRequest,
): ServiceError {
  if (err instanceof ServiceError) return err;
  // Anything can be thrown (strings, null); only objects can carry Fastify's fields.
  if (err === null || typeof err !== 'object') return new InternalError(err);
  const fe = err as FrameworkError;
  if (fe.code === 'FST_ERR_VALIDATION' || Array.isArray(fe.validation)) {
    return new ValidationError(validationFields(fe, request));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(request?.routeOptions.bodyLimit ?? bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError(request?.headers['content-type']);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MalformedJsonError('body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new MalformedJsonError(fe.message ?? 'invalid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new BadRequestError(fe.message);
  }
  // A 4xx raised by a Fastify plugin or hook keeps its status; its message is written
  // for callers (some plugins throw plain `{ statusCode, message }` objects).
  if (isClientStatus(fe.statusCode)) {
    return new ServiceError({
      status: fe.statusCode,
      code: clientErrorCode(fe.code, fe.statusCode),
      message:
        typeof fe.message === 'string' && fe.message
          ? fe.message
          : (STATUS_CODES[fe.statusCode] ?? 'Bad request'),
    });
  }
  return new InternalError(err);
}

function isClientStatus(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500;
}

/**
 * A plugin's own stable code (`FST_JWT_…`) is kept; Fastify core's internal codes and
 * missing or odd codes become the status's name, e.g. 429 → `TOO_MANY_REQUESTS`.
 */
function clientErrorCode(code: unknown, status: number): string {
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) && !code.startsWith('FST_ERR_')) {
    return code;
  }
  const known = STATUS_CODE_NAMES[status];
  if (known) return known;
  const name = STATUS_CODES[status];
  return name ? name.toUpperCase().replace(/[^A-Z0-9]+/g, '_') : `HTTP_${status}`;
}

/**
 * Every failing field of the request. Fastify stops at the first part that fails, so the
 * parts it had not reached yet are checked here with the route's own validators.
 */
function validationFields(fe: FrameworkError, request: ErroredRequest | undefined): FieldError[] {
  const failed = (PARTS as readonly string[]).includes(fe.validationContext ?? '')
    ? (fe.validationContext as Part)
    : 'body';
  const fields = Array.isArray(fe.validation)
    ? fieldErrors(fe.validation, failed)
    : [{ in: PART_NAMES[failed], path: '', message: fe.message ?? 'is invalid' }];
  if (request) {
    for (const part of PARTS.slice(PARTS.indexOf(failed) + 1)) {
      fields.push(...fieldErrors(revalidate(request, part), part));
    }
  }
  return dedupe(fields);
}

type Validator = ((data: unknown) => unknown) & { errors?: AjvIssue[] | null };

function revalidate(request: ErroredRequest, part: Part): AjvIssue[] {
  let validate: unknown;
  try {
    validate = request.getValidationFunction(part);
  } catch {
    return [];
  }
  // Body validators can be keyed by content type; only a plain compiled validator is rerun.
  if (typeof validate !== 'function') return [];
  const fn = validate as Validator;
  const value = part === 'querystring' ? request.query : request[part];
  try {
    const result = fn(value === undefined ? null : value);
    // Async (`$async`) or non-Ajv validators report differently; the first failure stands.
    return result === false && Array.isArray(fn.errors) ? fn.errors : [];
  } catch {
    return [];
  }
}

function fieldErrors(issues: readonly AjvIssue[], part: Part): FieldError[] {
  return collapseUnions(issues).map((issue) => ({
    in: PART_NAMES[part],
    path: issuePath(issue),
    message: issue.message ?? 'is invalid',
  }));
}

/** Ajv reports a missing or extra property on its parent; point at the property itself. */
function issuePath(issue: AjvIssue): string {
  const missing = issue.params?.missingProperty;
  const extra = issue.params?.additionalProperty;
  const leaf = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : '';
  return leaf ? `${issue.instancePath}/${escapePointer(leaf)}` : issue.instancePath;
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * With allErrors, a failed union reports every branch's failure plus its own. Callers
 * want one line per field: keep the union's, saying which values are allowed when its
 * branches are constants (TypeBox literal unions) or joining the branches' reasons when
 * they all concern the field itself (`must be integer or must be null`).
 */
function collapseUnions(issues: readonly AjvIssue[]): AjvIssue[] {
  const unions = issues.filter(
    (i) => (i.keyword === 'anyOf' || i.keyword === 'oneOf') && i.schemaPath,
  );
  if (unions.length === 0) return [...issues];
  const branchesOf = (union: AjvIssue) =>
    issues.filter((i) => i !== union && i.schemaPath?.startsWith(`${union.schemaPath}/`));
  const hidden = new Set<AjvIssue>(unions.flatMap(branchesOf));
  return issues
    .filter((i) => !hidden.has(i))
    .map((issue) => {
      if (!unions.includes(issue)) return issue;
      const branches = branchesOf(issue);
      if (branches.length === 0) return issue;
      if (branches.every((b) => b.keyword === 'const')) {
        const allowed = branches.map((b) => JSON.stringify(b.params?.allowedValue)).join(', ');
        return { ...issue, message: `must be one of ${allowed}` };
      }
      if (branches.every((b) => b.instancePath === issue.instancePath && b.message)) {
        return { ...issue, message: [...new Set(branches.map((b) => b.message))].join(' or ') };
      }
      return issue;
    });
}

function dedupe(fields: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const key = `${f.in}\u0000${f.path}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

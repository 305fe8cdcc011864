import type { FastifyError } from 'fastify';
import {
  BadRequestError,
  type FieldError,
  InternalError,
  MalformedJsonError,
  PayloadTooLargeError,
  ServiceError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors/index.js';

interface AjvIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query' };

/**
 * Turn whatever a request threw into a ServiceError. Fastify's own errors are recognised
 * by their stable `FST_ERR_*` codes; anything unknown becomes an InternalError.
 */
export function toServiceError(
  err: unknown,
  bodyLimit: number,
  contentType?: string,
): ServiceError {
  if (err instanceof ServiceError) return err;
  const fe = err as Partial<FastifyError> & { validationContext?: string };
  if (fe.validation) return new ValidationError(fieldErrors(fe.validation, fe.validationContext));
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError(contentType);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MalformedJsonError('body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new MalformedJsonError(fe.message ?? 'invalid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new BadRequestError(fe.message);
  }
  // A 4xx raised by a Fastify plugin keeps its status; its message is written for callers.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ServiceError({
      status: fe.statusCode,
      code: fe.code ?? 'BAD_REQUEST',
      message: fe.message ?? 'Bad request',
    });
  }
  return new InternalError(err);
}

function fieldErrors(issues: readonly AjvIssue[], context = 'body'): FieldError[] {
  const where = CONTEXT_NAMES[context] ?? context;
  return issues.map((issue) => {
    const missing = issue.params?.missingProperty;
    const extra = issue.params?.additionalProperty;
    const leaf = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : '';
    return {
      in: where,
      path: leaf ? `${issue.instancePath}/${leaf}` : issue.instancePath,
      message: issue.message ?? 'is invalid',
    };
  });
}

import { STATUS_CODES } from 'node:http';
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import type { RouteAuth } from '../auth/types.js';
import type { AnyRoute, ResolvedRoute } from '../service/route.js';

/** Name of the error envelope in `components.schemas`; every error response refers to it. */
export const ERROR_SCHEMA_NAME = 'WharfError';

/** Name of the bearer token scheme in `components.securitySchemes`. */
export const BEARER_SCHEME_NAME = 'bearerAuth';

/** The scheme that protected routes refer to (a JWT in `Authorization: Bearer`). */
export const BEARER_SECURITY_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
} as const;

const ERROR_REF = `#/components/schemas/${ERROR_SCHEMA_NAME}`;
// `x-response-description` is @fastify/swagger's key for the response's own description.
const RESPONSE_DESCRIPTION = 'x-response-description';
const REQUEST_PARTS = ['params', 'querystring', 'query', 'body', 'headers'] as const;

type ResponseSchemas = Record<string, unknown>;

/**
 * A @fastify/swagger `transform` that completes each operation's responses in the spec:
 * raw routes get their own response without the envelope, and every route gets the
 * error envelope. Only the document changes; the response schemas Fastify serializes
 * with stay as they are, so errors are sent exactly as before.
 */
export function documentResponses(routes: readonly ResolvedRoute[]): SwaggerTransform {
  const byName = new Map(routes.map((resolved) => [resolved.route.name, resolved]));
  return ({ schema, url }) => {
    const resolved = schema?.operationId ? byName.get(schema.operationId) : undefined;
    const own = resolved?.url === url ? resolved.route : undefined;
    const success = own?.raw
      ? rawResponse(own)
      : describeStatuses(schema?.response as ResponseSchemas | undefined);
    const auth = resolved?.url === url ? resolved.auth : undefined;
    const response = withErrors(withAuthErrors(success, auth), hasRequestSchema(schema));
    return { url, schema: { ...schema, ...security(auth), response } };
  };
}

/** The operation's `security`: the bearer scheme with its scopes, or anonymous too when optional. */
function security(auth: RouteAuth | undefined) {
  if (!auth) return {};
  const bearer = { [BEARER_SCHEME_NAME]: [...(auth.scopes ?? [])] };
  return { security: auth.required === false ? [bearer, {}] : [bearer] };
}

function withAuthErrors(success: ResponseSchemas, auth: RouteAuth | undefined): ResponseSchemas {
  if (!auth) return success;
  const out = { ...success };
  out['401'] ??= errorResponse(
    'No valid bearer token: TOKEN_MISSING, TOKEN_INVALID or TOKEN_EXPIRED (see WWW-Authenticate).',
  );
  if (auth.scopes?.length) {
    out['403'] ??= errorResponse('INSUFFICIENT_SCOPE: the token lacks a required scope.');
  }
  return out;
}

/** A raw route's success as the handler sends it: its own schema, or no documented body. */
function rawResponse(route: AnyRoute): ResponseSchemas {
  const status = route.status ?? 200;
  const schema = route.response ?? { type: 'null' };
  return describeStatuses({ [status]: schema });
}

/** Names each status ("OK", "Created") unless the schema already says what it is. */
function describeStatuses(response: ResponseSchemas | undefined): ResponseSchemas {
  // @fastify/swagger documents a route without responses as a bare 200; keep that.
  const statuses = response ?? { 200: { type: 'null' } };
  const out: ResponseSchemas = {};
  for (const [status, schema] of Object.entries(statuses)) {
    out[status] = hasDescription(schema)
      ? schema
      : { ...(schema as object), [RESPONSE_DESCRIPTION]: statusText(status) };
  }
  return out;
}

function withErrors(success: ResponseSchemas, validated: boolean): ResponseSchemas {
  const out = { ...success };
  // A status the route documents itself wins over the generic error.
  const add = (status: string, description: string) => {
    out[status] ??= errorResponse(description);
  };
  if (validated) {
    add('400', 'Invalid request: VALIDATION_FAILED (failing fields in `error`) or MALFORMED_JSON.');
  }
  add('4XX', 'Client error, in the error envelope.');
  add('5XX', 'Server error, in the error envelope.');
  return out;
}

function errorResponse(description: string) {
  // Next to a `$ref`, @fastify/swagger reads only `description` for the response.
  return { $ref: ERROR_REF, description };
}

function hasRequestSchema(schema: FastifySchema | undefined): boolean {
  const parts = schema as Record<string, unknown> | undefined;
  return REQUEST_PARTS.some((part) => parts?.[part] !== undefined);
}

function hasDescription(schema: unknown): boolean {
  return (
    typeof schema === 'object' &&
    schema !== null &&
    ('description' in schema || RESPONSE_DESCRIPTION in schema)
  );
}

function statusText(status: string): string {
  return STATUS_CODES[Number(status)] ?? 'Response';
}

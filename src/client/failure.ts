import { UpstreamError } from '../errors/index.js';

/**
 * What went wrong in one attempt, as far as retries and the breaker care. Anything not
 * recognised here (a bug, a closed client, an unmatched test mock) is rethrown as it is.
 */
export type AttemptFailure =
  /**
   * No usable connection, or it broke or carried malformed HTTP before the whole response
   * arrived: retryable.
   */
  | { kind: 'connection'; error: unknown }
  /**
   * An answer this client cannot use (a body over the size limit, a 2xx that claims JSON
   * but is not): it counts against the upstream, and is not retried.
   */
  | { kind: 'unusable'; error: unknown }
  /** The upstream took too long to start or continue its answer: not retried. */
  | { kind: 'timeout'; phase: 'headers' | 'body'; error: unknown }
  | { kind: 'other'; error: unknown };

const CONNECTION_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  // Malformed HTTP: undici gives the connection up, as after a reset.
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_HEADERS_OVERFLOW',
]);

/**
 * undici's HTTPParserError: malformed status line, headers or framing. Its code, llhttp's
 * `HPE_…` name, is missing for some of them, so the error's name tells.
 */
const PARSER_ERROR = 'HTTPParserError';

export function classifyFailure(error: unknown): AttemptFailure {
  // readBody and parseBody refuse an answer with an UpstreamError of their own.
  if (error instanceof UpstreamError) return { kind: 'unusable', error };
  const codes = errorCodes(error);
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT'))
    return { kind: 'timeout', phase: 'headers', error };
  if (codes.includes('UND_ERR_BODY_TIMEOUT')) return { kind: 'timeout', phase: 'body', error };
  if (codes.some((code) => CONNECTION_CODES.has(code)) || isParserError(error)) {
    return { kind: 'connection', error };
  }
  return { kind: 'other', error };
}

function isParserError(error: unknown): boolean {
  return error instanceof Error && error.name === PARSER_ERROR;
}

/**
 * The codes of an error and of the errors it groups: with happy eyeballs Node reports a
 * failed connect as an AggregateError of one error per address tried.
 */
function errorCodes(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  const own = typeof code === 'string' ? [code] : [];
  return Array.isArray(errors) ? [...own, ...errors.flatMap(errorCodes)] : own;
}

/**
 * What went wrong in one attempt, as far as retries and the breaker care. Anything not
 * recognised here (a bug, a closed client, an unmatched test mock) is rethrown as it is.
 */
export type AttemptFailure =
  /** No usable connection, or it broke before the whole response arrived: retryable. */
  | { kind: 'connection'; error: unknown }
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
]);

export function classifyFailure(error: unknown): AttemptFailure {
  const codes = errorCodes(error);
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT'))
    return { kind: 'timeout', phase: 'headers', error };
  if (codes.includes('UND_ERR_BODY_TIMEOUT')) return { kind: 'timeout', phase: 'body', error };
  if (codes.some((code) => CONNECTION_CODES.has(code))) return { kind: 'connection', error };
  return { kind: 'other', error };
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
